import { startCluster, type Cluster } from '../support/cluster';
import { privateNatsServer, type PrivateNatsServer } from '../support/nats-server';
import { createEvent, createTicketType } from '../support/sales';
import { waitForTicketCount, waitForTickets } from '../support/tickets';
import { register, type Registered } from '../support/users';
import { pollUntil } from '../support/books';
import { readOutboxes, readStreamEventIds, type OutboxRow } from '../support/event-delivery';
import { waitFor, expectProblem } from '@ticketpro/shared/testing';

jest.setTimeout(180_000);

/** Short, so that an order placed just before the outage lapses while NATS is down. */
const ORDER_HOLD_SECONDS = 8;
const REQUEST_TIMEOUT_MS = 3000;
/** How long the services may take to find each other again once NATS is back. */
const RECONNECT_BOUND_MS = 45_000;

/**
 * NATS stops and starts again under a running cluster (its own nats-server: the shared one serves
 * other test files). While NATS is down no request can reach a service (the gateway talks to them
 * over NATS), but the services keep working on their own: ordering's sweep expires a lapsed order
 * and records `ordering.order.expired` in its outbox, with no broker to relay it to. Once NATS is
 * back, everything must reconnect without a restart and that event must arrive, once.
 */
describe('NATS restart: services reconnect by themselves and the outbox catches up', () => {
  let nats: PrivateNatsServer;
  let cluster: Cluster;
  let buyer: Registered;
  let eventId: number;
  let ticketTypeId: number;

  beforeAll(async () => {
    nats = await privateNatsServer('e2e_nats_restart');
    cluster = await startCluster('e2e_nats_restart', {
      NATS_URL: nats.url,
      // Longer than the heartbeat timeout, the outage makes every node lose sight of the others.
      HEARTBEAT_INTERVAL_SECONDS: '1',
      HEARTBEAT_TIMEOUT_SECONDS: '3',
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      ORDER_HOLD_SECONDS: String(ORDER_HOLD_SECONDS),
      // The lapsed order is expired by the sweep after its hold: every 500 ms here, not 5 s.
      ORDER_EXPIRY_SWEEP_INTERVAL_MS: '500',
    });
    const organizer = await register(cluster.api, { role: 'organizer' });
    eventId = (await createEvent(cluster.api, organizer.access)).id;
    ticketTypeId = (await createTicketType(cluster.api, organizer.access, eventId)).id;
    buyer = await register(cluster.api);
  });
  afterAll(async () => {
    // Dropping the cluster's stream needs NATS up, also when the test failed mid-outage.
    await nats?.start();
    await cluster?.stop();
    await nats?.destroy();
  });

  const placeOrder = async () => {
    const res = await cluster.api('POST', '/api/v1/orders', {
      token: buyer.access,
      body: {
        event_id: eventId,
        payment_method: 'credit_card',
        items: [{ ticket_type_id: ticketTypeId, quantity: 1 }],
      },
    });
    expect(res.status).toBe(201);
    return res.body as { id: number };
  };
  const payOrder = async (orderId: number) => {
    const res = await cluster.api('POST', `/api/v1/orders/${orderId}/pay`, { token: buyer.access });
    expect(res.status).toBe(200);
    expect(res.body.payment_status).toBe('completed');
  };
  const expiryOf = (orderId: number) => (rows: OutboxRow[]) =>
    rows.find((r) => r.name === 'ordering.order.expired' && r.data.id === orderId);

  it('reconnects without a restart, serves orders again, and relays the events recorded during the outage once', async () => {
    const paidBefore = await placeOrder();
    await payOrder(paidBefore.id);
    // Left to lapse while NATS is down, with a reserved ticket that ticketing voids on `order.expired`.
    const abandoned = await placeOrder();
    const reserved = await cluster.api('POST', '/api/v1/tickets', {
      token: buyer.access,
      body: { order_id: abandoned.id, ticket_type_id: ticketTypeId },
    });
    expect(reserved.status).toBe(201);
    expect(reserved.body.status).toBe('reserved');

    const stoppedAt = Date.now();
    await nats.stop();

    // No service is reachable: a clean 503, neither an error nor a hang.
    const meanwhile = await cluster.api('GET', `/api/v1/events/${eventId}`, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS * 5),
    });
    expectProblem(meanwhile, 503);

    const recorded = await pollUntil(
      () => readOutboxes(cluster.env.DATABASE_URL),
      (rows) => expiryOf(abandoned.id)(rows) !== undefined,
      30_000,
    );
    const expiry = expiryOf(abandoned.id)(recorded.value);
    expect(expiry).toBeDefined();
    expect(expiry!.created_at.getTime()).toBeGreaterThanOrEqual(stoppedAt - 1000);
    expect(expiry!.published_at).toBeNull();
    const waitingInOutbox = recorded.value.filter((r) => r.published_at === null).length;
    const outageMs = Date.now() - stoppedAt;

    const restartedAt = Date.now();
    await nats.start();
    await waitFor(`${cluster.baseUrl}/health`, (status) => status === 200, RECONNECT_BOUND_MS);
    const reconnectedMs = Date.now() - restartedAt;

    const paidAfter = await placeOrder();
    await payOrder(paidAfter.id);
    const ticketsBefore = await waitForTicketCount(cluster.api, buyer.access, paidBefore.id, 1);
    const ticketsAfter = await waitForTicketCount(cluster.api, buyer.access, paidAfter.id, 1);
    expect([...ticketsBefore, ...ticketsAfter].map((t) => t.status)).toEqual(['valid', 'valid']);
    // Ticketing acted on the event recorded during the outage.
    const voided = await waitForTickets(cluster.api, buyer.access, abandoned.id, (ts) =>
      ts.every((t) => t.status === 'void'),
    );
    expect(voided.map((t) => t.id)).toEqual([reserved.body.id]);

    // Every event of every outbox, recorded before, during or after the outage, is in the stream once.
    const delivered = await pollUntil(
      async () => ({
        outbox: await readOutboxes(cluster.env.DATABASE_URL),
        stream: await readStreamEventIds(nats.url, cluster.env.EVENT_STREAM),
      }),
      ({ outbox, stream }) => outbox.every((r) => r.published_at !== null) && stream.length >= outbox.length,
      30_000,
    );
    const { outbox, stream } = delivered.value;
    console.log(
      `nats restart: down ${outageMs} ms with ${waitingInOutbox} event(s) waiting in the outboxes; ` +
        `/health 200 again ${reconnectedMs} ms after NATS restarted; ${outbox.length} events recorded, ` +
        `${stream.length} in the stream after ${delivered.waitedMs} ms`,
    );
    expect(outbox.filter((r) => r.published_at === null).map((r) => `${r.service} ${r.name} ${r.id}`)).toEqual([]);
    expect([...stream].sort()).toEqual(outbox.map((r) => r.id).sort());
    expect(stream).toContain(expiry!.id);
  });
});
