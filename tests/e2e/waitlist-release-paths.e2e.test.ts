import { Client } from 'pg';
import { startCluster, type Cluster } from '../support/cluster';
import { buyTickets, createEvent, createTicketType } from '../support/sales';
import { pollUntil, readWaitlistBooks, waitlistBooksBalance, type WaitlistBooks } from '../support/books';
import { login, register, registerMany, type Registered } from '../support/users';
import { expectProblem, recordingApi } from '@ticketpro/shared/testing';

jest.setTimeout(300_000);

/**
 * Issue 18, every way units come back to a sold-out ticket type, through the gateway over NATS
 * with each service its own process: a cancelled order, a hold that lapses, a partial refund, a
 * whole refund and a raised quantity each offer their units to the next in line, each entry
 * once. Then the release paths raced against each other: holds lapsing (catalog's sweep and
 * ordering's expiry both after them), orders cancelled and the quantity raised at once, while
 * buyers try to take the units: every unit that came back is offered exactly once, to the first
 * in line. Offers last long here, so that none passes on while a test counts them.
 */
const ADMIN = { email: 'admin@waitlist-release.test', password: 'Admin-Passw0rd-Strong' };
const OFFER_SECONDS = 600;
/** Catalog's hold sweep and ordering's expiry sweep, each this often here (5 s by default). */
const SWEEP_MS = 500;
/** Enough for several rounds of both sweeps, on a loaded machine. */
const SWEPT_MS = 3_000;
/** The most a lapsed hold's units may take to be offered: the first round that comes, with time to spare. */
const OFFERED_WITHIN_MS = 30_000;

let cluster: Cluster;
let admin: { access: string };
let organizer: Registered;
let holder: Registered;

/** Every answer, so the last test can check that none was a 500. */
const { api, answered } = recordingApi(() => cluster.api);

/** Runs SQL on the cluster's database (every service's schema is in it). */
async function sql<T extends object>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: cluster.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Lets time pass for the given orders' holds: their expiry, in ordering and in catalog alike, is
 * moved a second into the past, as the clock would move it after ORDER_HOLD_SECONDS.
 */
async function lapse(orderIds: number[]): Promise<void> {
  await sql(`UPDATE ordering.orders SET expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [orderIds]);
  await sql(`UPDATE catalog.holds SET expires_at = now() - interval '1 second' WHERE order_id = ANY($1)`, [orderIds]);
}

/** Each entry ever offered units of the type, in line order, with how many `catalog.waitlist.offered` events it has. */
const everOffered = (ticketTypeId: number) =>
  sql<{ user_id: number; state: string; offered_quantity: number; events: number }>(
    `SELECT w.user_id, w.state, w.offered_quantity,
            (SELECT count(*)::int FROM catalog.outbox o
              WHERE o.name = 'catalog.waitlist.offered' AND (o.envelope->'data'->>'entry_id')::bigint = w.id) AS events
       FROM catalog.waitlist_entries w
      WHERE w.ticket_type_id = $1 AND w.offered_at IS NOT NULL
      ORDER BY w.id`,
    [ticketTypeId],
  );

const lineOf = async (ticketTypeId: number) =>
  (await api('GET', `/api/v1/tickets/types/${ticketTypeId}/waitlist/entries?limit=100`, { token: organizer.access }))
    .body.items as { user_id: number; state: string; position: number | null }[];

const order = (user: Registered, eventId: number, ticketTypeId: number, quantity = 1) =>
  api('POST', '/api/v1/orders', {
    token: user.access,
    body: { event_id: eventId, payment_method: 'ecocash', items: [{ ticket_type_id: ticketTypeId, quantity }] },
  });

function expectBalanced(b: WaitlistBooks) {
  expect(waitlistBooksBalance(b)).toBe(true);
  return b;
}

beforeAll(async () => {
  cluster = await startCluster('e2e_waitlist_release', {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    WAITLIST_OFFER_SECONDS: String(OFFER_SECONDS),
    HOLD_SWEEP_INTERVAL_MS: String(SWEEP_MS),
    ORDER_EXPIRY_SWEEP_INTERVAL_MS: String(SWEEP_MS),
  });
  admin = await login(cluster.api, ADMIN.email, ADMIN.password);
  organizer = await register(cluster.api, { role: 'organizer' });
  holder = await register(cluster.api);
});
afterAll(async () => {
  await cluster?.stop();
});

describe('each way units come back offers them to the next in line, once, over NATS', () => {
  const WAITING = 8;
  let eventId: number;
  let typeId: number;
  let inLine: number[];
  const books = () => readWaitlistBooks(cluster.env.DATABASE_URL, typeId);
  /** The line after a step: exactly the first `n` in line were ever offered, each one unit by one event. */
  async function expectOffered(n: number) {
    const offered = await everOffered(typeId);
    expect(offered.map((o) => o.user_id)).toEqual(inLine.slice(0, n));
    expect(offered.every((o) => o.offered_quantity === 1 && o.events === 1 && o.state === 'offered')).toBe(true);
    return expectBalanced(await books());
  }

  let paidTwice: { orderId: number; tickets: { id: number }[] };
  let paidOnce: { orderId: number };
  let toCancel: number;
  let toLapse: number;

  beforeAll(async () => {
    eventId = (await createEvent(cluster.api, organizer.access)).id;
    typeId = (await createTicketType(cluster.api, organizer.access, eventId, { quantity: 6 })).id;
    paidTwice = await buyTickets(cluster.api, holder.access, eventId, typeId, 2);
    paidOnce = await buyTickets(cluster.api, holder.access, eventId, typeId, 1);
    const held = await Promise.all([1, 2, 3].map(() => order(holder, eventId, typeId)));
    expect(held.map((h) => h.status)).toEqual([201, 201, 201]);
    [toCancel, toLapse] = held.map((h) => h.body.id as number);
    const waiting = await registerMany(cluster.api, WAITING);
    for (const user of waiting) {
      const joined = await api('POST', `/api/v1/tickets/types/${typeId}/waitlist`, {
        token: user.access,
        body: { quantity: 1 },
      });
      expect(joined.status).toBe(201);
    }
    inLine = (await lineOf(typeId)).map((e) => e.user_id);
    expect(inLine).toHaveLength(WAITING);
    expect(await expectOffered(0)).toMatchObject({ quantity: 6, sold: 3, live_held: 3, waiting: WAITING });
  });

  it('a cancelled order', async () => {
    expect((await api('DELETE', `/api/v1/orders/${toCancel}`, { token: holder.access })).status).toBe(200);
    expect(await expectOffered(1)).toMatchObject({ live_held: 2, live_offered: 1 });
  });

  it('a hold that lapses, once its expiry has passed', async () => {
    await lapse([toLapse]);
    const { ok, waitedMs } = await pollUntil(
      () => everOffered(typeId),
      (o) => o.length >= 2,
      OFFERED_WITHIN_MS,
    );
    expect(ok).toBe(true);
    console.log(`waiting list: a lapsed hold offered on ${(waitedMs / 1000).toFixed(1)} s after its expiry`);
    // Both services' sweeps have been after it by now: still given back once.
    await new Promise((resolve) => setTimeout(resolve, SWEPT_MS));
    expect(await expectOffered(2)).toMatchObject({ live_held: 1, live_offered: 2 });
    expect((await api('GET', `/api/v1/orders/${toLapse}`, { token: holder.access })).body.payment_status).toBe(
      'expired',
    );
  });

  it('a partial refund, ticket by ticket', async () => {
    const refund = await api('POST', `/api/v1/orders/${paidTwice.orderId}/refund`, {
      token: organizer.access,
      body: { ticket_ids: [paidTwice.tickets[0].id] },
    });
    expect(refund.body).toMatchObject({ payment_status: 'partially_refunded' });
    expect(await expectOffered(3)).toMatchObject({ sold: 2, live_offered: 3 });
  });

  it('a whole refund', async () => {
    const refund = await api('POST', `/api/v1/orders/${paidOnce.orderId}/refund`, { token: admin.access });
    expect(refund.body).toMatchObject({ payment_status: 'refunded' });
    expect(await expectOffered(4)).toMatchObject({ sold: 1, live_offered: 4 });
  });

  it('a raised quantity', async () => {
    const raised = await api('PUT', `/api/v1/tickets/types/${typeId}`, {
      token: organizer.access,
      body: { quantity: 8 },
    });
    expect(raised.body).toMatchObject({ quantity: 8, available_quantity: 0 });
    expect(await expectOffered(6)).toMatchObject({ quantity: 8, sold: 1, live_held: 1, live_offered: 6 });
    expect((await lineOf(typeId)).filter((e) => e.state === 'waiting').map((e) => e.position)).toEqual([1, 2]);
  });

  it('and notifies each offer once', async () => {
    const listed = await pollUntil(
      async () =>
        (await api('GET', '/api/v1/notifications?kind=waitlist_offer&limit=100', { token: admin.access })).body as {
          items: { recipient_id: number }[];
          total: number;
        },
      (page) => page.total >= 6,
      60_000,
    );
    expect(listed.ok).toBe(true);
    expect(listed.value.items.map((n) => n.recipient_id).sort((a, b) => a - b)).toEqual(
      inLine.slice(0, 6).sort((a, b) => a - b),
    );
  });
});

describe('a raised quantity racing lapsing holds, cancellations and buyers, over NATS', () => {
  const UNITS = 20;
  const LAPSING = 8;
  const CANCELLED = 6;
  const RAISED_BY = 6;
  const WAITING = 50;
  const BUYERS = 10;

  it(`offers the ${LAPSING + CANCELLED + RAISED_BY} units that came back exactly once, to the first in line`, async () => {
    const eventId = (await createEvent(cluster.api, organizer.access)).id;
    const typeId = (await createTicketType(cluster.api, organizer.access, eventId, { quantity: UNITS })).id;
    const held = await Promise.all(Array.from({ length: UNITS }, () => order(holder, eventId, typeId)));
    expect(held.map((h) => h.status)).toEqual(Array(UNITS).fill(201));
    const orderIds = held.map((h) => h.body.id as number);
    const [waiting, buyers] = [await registerMany(cluster.api, WAITING), await registerMany(cluster.api, BUYERS)];
    const joined = await Promise.all(
      waiting.map((u) =>
        api('POST', `/api/v1/tickets/types/${typeId}/waitlist`, { token: u.access, body: { quantity: 1 } }),
      ),
    );
    expect(joined.map((j) => j.status)).toEqual(Array(WAITING).fill(201));
    const inLine = (await lineOf(typeId)).map((e) => e.user_id);
    const cameBack = LAPSING + CANCELLED + RAISED_BY;

    const started = performance.now();
    await lapse(orderIds.slice(0, LAPSING));
    const answers = await Promise.all([
      api('PUT', `/api/v1/tickets/types/${typeId}`, { token: organizer.access, body: { quantity: UNITS + RAISED_BY } }),
      ...orderIds
        .slice(LAPSING, LAPSING + CANCELLED)
        .map((id) => api('DELETE', `/api/v1/orders/${id}`, { token: holder.access })),
      ...buyers.map((b) => order(b, eventId, typeId)),
    ]);
    const seconds = (performance.now() - started) / 1000;
    expect(answers.slice(0, 1 + CANCELLED).map((a) => a.status)).toEqual(Array(1 + CANCELLED).fill(200));
    const bought = answers.slice(1 + CANCELLED);
    for (const res of bought) expectProblem(res, 409);

    const settled = await pollUntil(
      () => everOffered(typeId),
      (o) => o.length >= cameBack,
      OFFERED_WITHIN_MS,
    );
    // Both services' sweeps go on: nothing is offered twice, and nothing more.
    await new Promise((resolve) => setTimeout(resolve, SWEPT_MS));
    const offered = await everOffered(typeId);
    const b = expectBalanced(await readWaitlistBooks(cluster.env.DATABASE_URL, typeId));
    console.log(
      `waiting list race, quantity ${UNITS} → ${UNITS + RAISED_BY} at once with ${LAPSING} holds lapsing and ` +
        `${CANCELLED} orders cancelled, ${BUYERS} buyers ordering, ${WAITING} waiting, in ${seconds.toFixed(2)} s ` +
        `(all offered ${(settled.waitedMs / 1000).toFixed(1)} s later): ${offered.length} offers ` +
        `(${offered.reduce((sum, o) => sum + o.events, 0)} offer events), ` +
        `${bought.filter((r) => r.status === 201).length} orders taken by buyers, books sold ${b.sold} + ` +
        `held ${b.live_held} + offered ${b.live_offered} of ${b.quantity}, ${b.waiting} waiting`,
    );
    expect(settled.ok).toBe(true);
    expect(offered.map((o) => o.user_id)).toEqual(inLine.slice(0, cameBack));
    expect(offered.every((o) => o.offered_quantity === 1 && o.events === 1 && o.state === 'offered')).toBe(true);
    expect(b).toMatchObject({
      quantity: UNITS + RAISED_BY,
      sold: 0,
      live_held: UNITS - LAPSING - CANCELLED,
      live_offered: cameBack,
      held_counter: UNITS - LAPSING - CANCELLED + cameBack,
      waiting: WAITING - cameBack,
    });
    expect((await api('GET', `/api/v1/tickets/types/${typeId}`)).body).toMatchObject({ available_quantity: 0 });
  });
});

describe('over NATS, throughout', () => {
  it('answered no request with a 500', () => {
    expect(answered.filter((a) => a.status >= 500)).toEqual([]);
  });
});
