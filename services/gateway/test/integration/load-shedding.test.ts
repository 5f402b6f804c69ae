import { startGateway, type Gateway } from '../support/gateway';
import { expectProblem, waitFor } from '@ticketpro/shared/testing';

describe('gateway: load shedding', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway([], { LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: 300 });
  });
  afterAll(() => gw.close());

  it('answers 503 problem+json with Retry-After while the event loop is saturated, then recovers', async () => {
    // Starting the app is itself CPU work; on a busy machine its first samples may count as overload.
    await waitFor(`${gw.baseUrl}/`, (status) => status === 200, 15_000);

    // A CPU-bound overload: every turn of the event loop takes 400 ms, for more than two of the
    // load shedder's one-second samples.
    for (let turn = 0; turn < 6; turn++) {
      const until = Date.now() + 400;
      while (Date.now() < until) {
        // busy
      }
      await new Promise(setImmediate);
    }
    const shed = await gw.api('GET', '/', { headers: { 'x-request-id': 'shed-1' } });
    expectProblem(shed, 503);
    expect(shed.body.detail).toBe('The gateway is overloaded; try again shortly');
    expect(shed.headers.get('retry-after')).toBe('5');
    expect(shed.headers.get('x-request-id')).toBe('shed-1');
    // Health is never shed: it still reports each service (none run beside this gateway, so
    // identity never told it the token revocations either: it has not finished starting).
    const health = await gw.api('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body).toEqual({
      status: 'starting',
      services: {
        identity: 'unavailable',
        catalog: 'unavailable',
        ordering: 'unavailable',
        ticketing: 'unavailable',
        notifications: 'unavailable',
        reporting: 'unavailable',
      },
    });

    // Two samples after the overload ends, the loop is known to be idle again (later on a busy machine).
    await waitFor(`${gw.baseUrl}/`, (status) => status === 200, 15_000);
  });
});
