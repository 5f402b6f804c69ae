import { createBroker, createLogger } from '@ticketpro/shared';
import { expectProblem, testConfig, uniqueName, waitFor } from '@ticketpro/shared/testing';
import { buildApp } from '../../src/app';
import { startGateway, type Gateway } from '../support/gateway';

/** Keeps the event loop saturated: each of `turns` turns takes `ms` of CPU. */
async function saturate(turns: number, ms: number): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      // busy
    }
    await new Promise(setImmediate);
  }
}

describe('gateway: load shedding', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway([], { LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: 300 });
  });
  afterAll(() => gw.close());

  it('answers the first calls after a start that kept the event loop busy', async () => {
    // As an embedded first start does (its migrations run on PGlite, on this thread): the app is
    // built, then the broker's start keeps the loop saturated for over two samples, so the last
    // sample when the node turns ready is over the limit, with the loop idle again.
    const config = testConfig({ NAMESPACE: uniqueName('shedding_start'), LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: 300 });
    const logger = createLogger('shedding-start', config.LOG_LEVEL);
    const broker = createBroker({ config, role: 'shedding-start', logger });
    broker.createService({ name: 'slow-start', started: () => saturate(6, 400) });
    const app = await buildApp({ broker, config, logger });
    try {
      const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
      await broker.start();
      const answer = await fetch(`${baseUrl}/`);
      expect(answer.status).toBe(200);
    } finally {
      await app.close();
      await broker.stop();
    }
  });

  it('answers 503 problem+json with Retry-After while the event loop is saturated, then recovers', async () => {
    // Starting the app is itself CPU work; on a busy machine its first samples may count as overload.
    await waitFor(`${gw.baseUrl}/`, (status) => status === 200, 15_000);

    // A CPU-bound overload: every turn of the event loop takes 400 ms, for more than two of the
    // load shedder's one-second samples.
    await saturate(6, 400);
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
