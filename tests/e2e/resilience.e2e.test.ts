import { randomUUID } from 'node:crypto';
import { startCluster, type Cluster } from '../support/cluster';
import { createEvent, createTicketType } from '../support/sales';
import { register, type Registered } from '../support/users';
import { RetryingClient, startSteadyLoad, type RequestOutcome } from '../support/load';
import { auditTickets, isBalanced, isSettled, pollUntil, readBooks, type TicketTypeBooks } from '../support/books';

jest.setTimeout(180_000);

const REQUEST_TIMEOUT_MS = 3000;
const HEARTBEAT_TIMEOUT_SECONDS = 3;
/**
 * Short, so that orders abandoned during the test lapse (and their holds with them) before it
 * ends; but longer than a checkout's own timeout (8 s): a hold in flight on the killed catalog is
 * sent again after its 4 s timeout with the same expiry, and with 5 s that expiry had passed
 * (catalog refused it, 422 on `expires_at`). Production holds last minutes.
 */
const ORDER_HOLD_SECONDS = 10;
const BUYERS = 6;
/** Orders placed before the kill, so the flow is in full swing when the instances die. */
const ORDERS_BEFORE_KILL = 8;
/** How long the flow goes on after the kill: several heartbeat timeouts, so recovery is seen. */
const LOAD_AFTER_KILL_MS = 15_000;
const PAY_SHARE = 0.75;

/**
 * Two instances of every service over real NATS; while buyers order, pay and read, one ordering
 * and one catalog instance are killed outright (SIGKILL: no goodbye, calls in flight lost).
 * Clients retry 503s (and the 409 of an Idempotency-Key still in progress) with the same key. No
 * request may end in a 500 or hang, and the books must balance once the dust settles.
 */
describe('resilience: SIGKILL of one ordering and one catalog instance under steady load', () => {
  let cluster: Cluster;
  let eventId: number;
  let buyers: Registered[];

  beforeAll(async () => {
    cluster = await startCluster(
      'e2e_resilience',
      {
        HEARTBEAT_INTERVAL_SECONDS: '1',
        HEARTBEAT_TIMEOUT_SECONDS: String(HEARTBEAT_TIMEOUT_SECONDS),
        REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        ORDER_HOLD_SECONDS: String(ORDER_HOLD_SECONDS),
        // The books settle at the sweeps after the holds lapse: every 500 ms here, not 5 s.
        HOLD_SWEEP_INTERVAL_MS: '500',
        ORDER_EXPIRY_SWEEP_INTERVAL_MS: '500',
      },
      { instances: 2 },
    );
    const organizer = await register(cluster.api, { role: 'organizer' });
    eventId = (await createEvent(cluster.api, organizer.access)).id;
    // One scarce type, so that sold-out answers are part of the flow, and two plentiful ones.
    await createTicketType(cluster.api, organizer.access, eventId, { name: 'Front row', quantity: 12, price: 80 });
    await createTicketType(cluster.api, organizer.access, eventId, { name: 'Terraces', quantity: 1000, price: 19.99 });
    await createTicketType(cluster.api, organizer.access, eventId, {
      name: 'Family stand',
      quantity: 1000,
      price: 12.5,
    });
    // One at a time: argon2id is slow by design, and several at once on a busy machine could
    // outlast the short request timeout this cluster runs with.
    buyers = [];
    for (let i = 0; i < BUYERS; i++) buyers.push(await register(cluster.api));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('answers every request with success, a business refusal or a 503, and the books balance', async () => {
    const client = new RetryingClient(cluster.api, {
      clientTimeoutMs: REQUEST_TIMEOUT_MS * 5,
      maxAttempts: 6,
      maxRetryDelayMs: 2000,
    });
    const typeIds: number[] = (await cluster.api('GET', `/api/v1/tickets/types?event_id=${eventId}`)).body.items.map(
      (t: { id: number }) => t.id,
    );
    const paidOrderIds: number[] = [];
    let placed = 0;

    const round = async (worker: number) => {
      const token = buyers[worker].access;
      await client.send('read event', 'GET', `/api/v1/events/${eventId}`);
      const items = pickItems(typeIds);
      const created = await client.send('create order', 'POST', '/api/v1/orders', {
        token,
        headers: { 'idempotency-key': randomUUID() },
        body: { event_id: eventId, payment_method: 'credit_card', items },
      });
      if (created.answer.status === 201) {
        placed += 1;
        const orderId: number = (created.answer as { body: { id: number } }).body.id;
        // The rest are abandoned: their holds lapse while the test runs.
        if (Math.random() < PAY_SHARE) {
          const paid = await client.send('pay order', 'POST', `/api/v1/orders/${orderId}/pay`, {
            token,
            headers: { 'idempotency-key': randomUUID() },
          });
          if (paid.answer.status === 200) paidOrderIds.push(orderId);
        }
        await client.send('read order', 'GET', `/api/v1/orders/${orderId}`, { token });
      }
      await client.send('read ticket types', 'GET', `/api/v1/tickets/types?event_id=${eventId}`);
    };

    const load = startSteadyLoad(BUYERS, round);
    let killedAtMs = 0;
    try {
      await waitUntil(() => placed >= ORDERS_BEFORE_KILL, 60_000, 'orders to flow before the kill');
      killedAtMs = Date.now() - client.startedAt;
      const victims = ['ordering', 'catalog'].map((role) => cluster.processes.find((p) => p.name === role)!);
      await Promise.all(victims.map((victim) => victim.stop('SIGKILL')));
      await new Promise((resolve) => setTimeout(resolve, LOAD_AFTER_KILL_MS));
    } finally {
      await load.stop();
    }

    const summary = client.summary();
    console.log(
      `resilience: ${summary.sent} requests sent (${summary.attempts} attempts), ${summary.retried} retried ` +
        `(retries asked for by ${JSON.stringify(summary.retriesByAnswer)}); ` +
        `answered by status ${JSON.stringify(summary.byStatus)}; by request ${JSON.stringify(summary.byLabel)}; ` +
        `killed one ordering and one catalog instance at ${(killedAtMs / 1000).toFixed(1)} s`,
    );

    const refusals: Record<string, number> = {};
    for (const o of client.outcomes.filter((o) => o.answer.status === 409)) {
      const reason = `${o.label}: ${detailOf(o).replace(/\d+/g, 'N')}`;
      refusals[reason] = (refusals[reason] ?? 0) + 1;
    }
    console.log(`resilience: 409 answers ${JSON.stringify(refusals)}`);

    const unacceptable = client.outcomes.filter((o) => !isAcceptable(o));
    expect(unacceptable.map(describeOutcome)).toEqual([]);

    // The kill happened mid-flow and the survivors carried on: orders placed and paid well after it.
    const recovered = client.outcomes.filter((o) => o.startedAtMs > killedAtMs + HEARTBEAT_TIMEOUT_SECONDS * 2000);
    expect(recovered.some((o) => o.label === 'create order' && o.answer.status === 201)).toBe(true);
    expect(recovered.some((o) => o.label === 'pay order' && o.answer.status === 200)).toBe(true);

    // Abandoned holds lapse by time and the sweep settles payments caught mid-saga: wait for both.
    const books = await pollUntil(
      () => readBooks(cluster.env.DATABASE_URL, eventId),
      (types) => types.every((t) => isBalanced(t) && isSettled(t)),
      (ORDER_HOLD_SECONDS + 20) * 1000,
    );
    console.log(`resilience: books after ${books.waitedMs} ms:\n${books.value.map(describeBooks).join('\n')}`);
    expect(books.value.filter((t) => !isBalanced(t) || !isSettled(t)).map(describeBooks)).toEqual([]);
    expect(books.value.reduce((sum, t) => sum + t.sold, 0)).toBeGreaterThan(0);

    // Tickets are issued by ticketing from `order.paid` events, after the pay call answered.
    const tickets = await pollUntil(
      () => auditTickets(cluster.env.DATABASE_URL, eventId),
      (audit) => audit.mismatches.length === 0,
      30_000,
    );
    console.log(
      `resilience: ${tickets.value.completedOrderIds.length} completed orders (${paidOrderIds.length} answered 200 to pay), ` +
        `${tickets.value.tickets} tickets, ${tickets.value.mismatches.length} mismatches after ${tickets.waitedMs} ms`,
    );
    expect(tickets.value.mismatches).toEqual([]);
    // A 200 to pay means paid: every such order is among the completed ones.
    const completed = new Set(tickets.value.completedOrderIds);
    expect(paidOrderIds.filter((id) => !completed.has(id))).toEqual([]);
  });
});

/** One or two ticket types, one or two units each. */
function pickItems(typeIds: number[]) {
  const shuffled = [...typeIds].sort(() => Math.random() - 0.5);
  const count = Math.random() < 0.5 ? 1 : 2;
  return shuffled
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((ticket_type_id) => ({ ticket_type_id, quantity: Math.random() < 0.7 ? 1 : 2 }));
}

/** The business refusals a buyer can meet in this flow, by request. */
const EXPECTED_REFUSALS: Record<string, RegExp | undefined> = {
  'create order': /sold out/,
  'pay order': /only a pending order can be paid|expired before it was paid|the payment was refunded/,
};

function isAcceptable(outcome: RequestOutcome): boolean {
  const { status } = outcome.answer;
  if (status === 503) return isProblem(outcome);
  if (typeof status !== 'number') return false;
  if (status >= 200 && status < 300) return true;
  const refusal = EXPECTED_REFUSALS[outcome.label];
  return status === 409 && isProblem(outcome) && refusal !== undefined && refusal.test(detailOf(outcome));
}

function isProblem(outcome: RequestOutcome): boolean {
  const answer = outcome.answer as { headers?: Headers };
  return (answer.headers?.get('content-type') ?? '').startsWith('application/problem+json');
}

function detailOf(outcome: RequestOutcome): string {
  const body = (outcome.answer as { body?: { detail?: unknown } }).body;
  return typeof body?.detail === 'string' ? body.detail : '';
}

function describeOutcome(o: RequestOutcome): string {
  const answer = 'error' in o.answer ? o.answer.error : JSON.stringify(o.answer.body).slice(0, 300);
  return `${o.label} ${o.method} ${o.path} at ${o.startedAtMs} ms after ${o.attempts} attempt(s): ${o.answer.status} ${answer}`;
}

function describeBooks(t: TicketTypeBooks): string {
  const verdict = `${isBalanced(t) ? 'balanced' : 'UNBALANCED'}${isSettled(t) ? '' : ', still in flight'}`;
  return (
    `  ticket type ${t.ticket_type_id} (quantity ${t.quantity}): catalog sold ${t.sold} + live held ${t.live_held}` +
    ` = ${t.sold + t.live_held}; ordering completed ${t.completed_units} + pending ${t.pending_units}` +
    ` = ${t.completed_units + t.pending_units}: ${verdict}`
  );
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
