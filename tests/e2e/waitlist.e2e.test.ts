import { startCluster, type Cluster } from '../support/cluster';
import { embeddedNode, type EmbeddedNode } from '../support/embedded';
import { createEvent, createTicketType } from '../support/sales';
import { pollUntil, readWaitlistBooks, waitlistBooksBalance, type WaitlistBooks } from '../support/books';
import { startMailCatcher, type MailCatcher } from '../support/mail';
import { login, register, registerMany, type Registered } from '../support/users';
import { expectProblem, recordingApi } from '@ticketpro/shared/testing';

jest.setTimeout(300_000);

/**
 * Issue 18, the waiting list, through the gateway over NATS with every service its own
 * process, the books read from catalog's tables after each step: 50 users wait for a sold-out
 * ticket type, 20 orders of one unit each are cancelled at once while other buyers try to take them,
 * and exactly the first 20 in line get offers, each mailed once; one is claimed by an order, the
 * others lapse and pass on to the next 19. Then the same rules in embedded mode (`npm start`).
 */
const ADMIN = { email: 'admin@waitlist.test', password: 'Admin-Passw0rd-Strong' };
const UNITS = 20;
const WAITING = 50;
const RACING_BUYERS = 10;
const OFFER_SECONDS = 20;

let cluster: Cluster;
let mail: MailCatcher;
let admin: { access: string };
let organizer: Registered;
let holder: Registered;
let waiting: Registered[];
let buyers: Registered[];
let eventId: number;
let ticketTypeId: number;

/** Every answer of the distributed part, so the last test can check that none was a 500. */
const { api, answered } = recordingApi(() => cluster.api);

const orderBody = (quantity = 1) => ({
  event_id: eventId,
  payment_method: 'ecocash',
  items: [{ ticket_type_id: ticketTypeId, quantity }],
});
const books = () => readWaitlistBooks(cluster.env.DATABASE_URL, ticketTypeId);
const entries = async () =>
  (await api('GET', `/api/v1/tickets/types/${ticketTypeId}/waitlist/entries?limit=100`, { token: organizer.access }))
    .body as { items: { user_id: number; state: string; position: number | null }[]; total: number };
const placeOf = (user: Registered) =>
  api('GET', `/api/v1/tickets/types/${ticketTypeId}/waitlist`, { token: user.access });

function expectBalanced(b: WaitlistBooks) {
  expect(waitlistBooksBalance(b)).toBe(true);
  return b;
}

beforeAll(async () => {
  mail = await startMailCatcher();
  cluster = await startCluster('e2e_waitlist', {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SMTP_URL: mail.url,
    MAIL_RETRY_SECONDS: '1',
    WAITLIST_OFFER_SECONDS: String(OFFER_SECONDS),
    // Lapsed offers pass on at catalog's next sweep: every 500 ms here, not 5 s, once they lapse.
    HOLD_SWEEP_INTERVAL_MS: '500',
  });
  admin = await login(cluster.api, ADMIN.email, ADMIN.password);
  organizer = await register(cluster.api, { role: 'organizer' });
  holder = await register(cluster.api);
  waiting = await registerMany(cluster.api, WAITING);
  buyers = await registerMany(cluster.api, RACING_BUYERS);
  eventId = (await createEvent(cluster.api, organizer.access)).id;
  ticketTypeId = (await createTicketType(cluster.api, organizer.access, eventId, { quantity: UNITS })).id;
});
afterAll(async () => {
  await cluster?.stop();
  await mail?.close();
});

describe(`${WAITING} waiting for ${UNITS} units, over NATS`, () => {
  let holdingOrders: number[];
  let inLine: number[];

  it('refuses to list anyone while units are free (409), then takes all 50 at once in one line', async () => {
    expectProblem(
      await api('POST', `/api/v1/tickets/types/${ticketTypeId}/waitlist`, {
        token: waiting[0].access,
        body: { quantity: 1 },
      }),
      409,
    );
    const held = await Promise.all(
      Array.from({ length: UNITS }, () => api('POST', '/api/v1/orders', { token: holder.access, body: orderBody() })),
    );
    expect(held.map((h) => h.status)).toEqual(Array(UNITS).fill(201));
    holdingOrders = held.map((h) => h.body.id);

    const started = performance.now();
    const joined = await Promise.all(
      waiting.map((u) =>
        api('POST', `/api/v1/tickets/types/${ticketTypeId}/waitlist`, { token: u.access, body: { quantity: 1 } }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`waiting list: ${WAITING} joins at once in ${seconds.toFixed(2)} s`);
    expect(joined.map((j) => j.status)).toEqual(Array(WAITING).fill(201));
    expect(joined.map((j) => j.body.position).sort((a, b) => a - b)).toEqual(
      Array.from({ length: WAITING }, (_, i) => i + 1),
    );
    const list = await entries();
    expect(list.total).toBe(WAITING);
    inLine = list.items.map((e) => e.user_id);
    // Each user's own place agrees with the organizer's list.
    const byId = new Map(waiting.map((u) => [u.id, u]));
    expect((await placeOf(byId.get(inLine[7])!)).body).toMatchObject({ position: 8, state: 'waiting' });
    expect(expectBalanced(await books())).toMatchObject({
      quantity: UNITS,
      live_held: UNITS,
      live_offered: 0,
      waiting: WAITING,
    });
  });

  it(`offers the units of ${UNITS} orders cancelled at once to the first ${UNITS} in line, exactly once, while ${RACING_BUYERS} buyers get 409`, async () => {
    const started = performance.now();
    const answers = await Promise.all([
      ...holdingOrders.map((id) => api('DELETE', `/api/v1/orders/${id}`, { token: holder.access })),
      ...buyers.map((b) => api('POST', '/api/v1/orders', { token: b.access, body: orderBody() })),
    ]);
    const seconds = (performance.now() - started) / 1000;
    const [cancelled, bought] = [answers.slice(0, UNITS), answers.slice(UNITS)];
    expect(cancelled.map((c) => c.status)).toEqual(Array(UNITS).fill(200));
    for (const res of bought) expectProblem(res, 409);

    const list = await entries();
    const offered = list.items.filter((e) => e.state === 'offered').map((e) => e.user_id);
    const stillWaiting = list.items.filter((e) => e.state === 'waiting');
    const b = expectBalanced(await books());
    console.log(
      `waiting list race: ${UNITS} orders of one unit cancelled at once while ${RACING_BUYERS} buyers ordered, in ${seconds.toFixed(2)} s: ` +
        `${offered.length} offers, ${bought.filter((r) => r.status === 201).length} orders taken by buyers, ` +
        `books sold ${b.sold} + held ${b.live_held} + offered ${b.live_offered} of ${b.quantity}, ${b.waiting} waiting`,
    );
    expect(offered).toEqual(inLine.slice(0, UNITS));
    expect(stillWaiting.map((e) => e.position)).toEqual(Array.from({ length: WAITING - UNITS }, (_, i) => i + 1));
    expect(b).toMatchObject({
      sold: 0,
      live_held: 0,
      live_offered: UNITS,
      held_counter: UNITS,
      waiting: WAITING - UNITS,
    });
    expect((await api('GET', `/api/v1/tickets/types/${ticketTypeId}`)).body).toMatchObject({ available_quantity: 0 });
  });

  it('turns a claimed offer into an order; the others lapse and pass on to the next 19', async () => {
    const byId = new Map(waiting.map((u) => [u.id, u]));
    const first = byId.get(inLine[0])!;
    expect((await placeOf(first)).body).toMatchObject({ state: 'offered', position: null, offer: { quantity: 1 } });
    const claimed = await api('POST', '/api/v1/orders', { token: first.access, body: orderBody() });
    expect(claimed.status).toBe(201);
    expect(claimed.body).toMatchObject({
      payment_status: 'pending',
      items: [{ ticket_type_id: ticketTypeId, quantity: 1 }],
    });
    expectProblem(await placeOf(first), 404);
    expect(expectBalanced(await books())).toMatchObject({ live_held: 1, live_offered: UNITS - 1 });

    const passed = await pollUntil(
      entries,
      (list) =>
        list.items
          .filter((e) => e.state === 'offered')
          .map((e) => e.user_id)
          .join() === inLine.slice(UNITS, 2 * UNITS - 1).join(),
      (OFFER_SECONDS + 30) * 1000,
    );
    expect(passed.ok).toBe(true);
    console.log(
      `waiting list: ${UNITS - 1} unclaimed offers passed on ${(passed.waitedMs / 1000).toFixed(1)} s after the claim`,
    );
    expect(expectBalanced(await books())).toMatchObject({
      live_held: 1,
      live_offered: UNITS - 1,
      waiting: WAITING - 2 * UNITS + 1,
    });
    expectProblem(await placeOf(byId.get(inLine[1])!), 404);
  });

  it('mails each offer once: the first 20, then the 19 it passed on to, nobody after them', async () => {
    const byId = new Map(waiting.map((u) => [u.id, u]));
    const offeredTo = inLine.slice(0, 2 * UNITS - 1).map((id) => byId.get(id)!);
    const offerMails = (u: Registered) =>
      mail.to(u.email).filter((m) => /set aside for you/.test(m.parsed.subject ?? ''));
    const { ok, waitedMs } = await pollUntil(
      async () => offeredTo.map(offerMails),
      (all) => all.every((m) => m.length >= 1),
      60_000,
    );
    expect(ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    console.log(
      `waiting list: all ${offeredTo.length} offer mails there ${(waitedMs / 1000).toFixed(1)} s after the pass-on`,
    );
    expect(offeredTo.map((u) => offerMails(u).length)).toEqual(Array(offeredTo.length).fill(1));
    for (const id of inLine.slice(2 * UNITS - 1)) expect(offerMails(byId.get(id)!)).toEqual([]);
    const listed = await api('GET', '/api/v1/notifications?kind=waitlist_offer&limit=100', { token: admin.access });
    expect(listed.body.total).toBe(offeredTo.length);
  });
});

describe(`${WAITING} waiting on two ticket types of an event of ${UNITS} seats, over NATS`, () => {
  it(`offers the ${UNITS} seats of ${UNITS} orders cancelled at once to the first ${UNITS} in line of either type, never past the capacity`, async () => {
    const event = await createEvent(cluster.api, organizer.access, { capacity: UNITS });
    const types = [
      (await createTicketType(cluster.api, organizer.access, event.id, { name: 'Terraces', quantity: 100 })).id,
      (await createTicketType(cluster.api, organizer.access, event.id, { name: 'Grandstand', quantity: 100 })).id,
    ];
    const body = (typeId: number) => ({
      event_id: event.id,
      payment_method: 'ecocash',
      items: [{ ticket_type_id: typeId, quantity: 1 }],
    });
    const held = await Promise.all(
      Array.from({ length: UNITS }, (_, i) =>
        api('POST', '/api/v1/orders', { token: holder.access, body: body(types[i % 2]) }),
      ),
    );
    expect(held.map((h) => h.status)).toEqual(Array(UNITS).fill(201));
    // Each type has 90 of its own left, but the event is full: both count as sold out.
    const joined = await Promise.all(
      waiting.map((u, i) =>
        api('POST', `/api/v1/tickets/types/${types[i % 2]}/waitlist`, { token: u.access, body: { quantity: 1 } }),
      ),
    );
    expect(joined.map((j) => j.status)).toEqual(Array(WAITING).fill(201));
    const lineOf = async (typeId: number) =>
      (await api('GET', `/api/v1/tickets/types/${typeId}/waitlist/entries?limit=100`, { token: organizer.access })).body
        .items as { id: number; user_id: number; state: string }[];
    const inLine = [...(await lineOf(types[0])), ...(await lineOf(types[1]))].sort((x, y) => x.id - y.id);

    const answers = await Promise.all([
      ...held.map((h) => api('DELETE', `/api/v1/orders/${h.body.id}`, { token: holder.access })),
      ...buyers.map((b, i) => api('POST', '/api/v1/orders', { token: b.access, body: body(types[i % 2]) })),
    ]);
    expect(answers.slice(0, UNITS).map((a) => a.status)).toEqual(Array(UNITS).fill(200));
    for (const res of answers.slice(UNITS)) expectProblem(res, 409);

    const now = [...(await lineOf(types[0])), ...(await lineOf(types[1]))].sort((x, y) => x.id - y.id);
    const offered = now.filter((e) => e.state === 'offered').map((e) => e.user_id);
    const seats = await Promise.all(types.map((t) => readWaitlistBooks(cluster.env.DATABASE_URL, t)));
    for (const b of seats) expectBalanced(b);
    const taken = seats.reduce((sum, b) => sum + b.sold + b.live_held + b.live_offered, 0);
    console.log(
      `waiting list race, event capacity ${UNITS} over two types: ${offered.length} offers, ` +
        `${answers.slice(UNITS).filter((a) => a.status === 201).length} orders taken by buyers, ${taken} of ${UNITS} seats taken`,
    );
    expect(offered).toEqual(inLine.slice(0, UNITS).map((e) => e.user_id));
    expect(taken).toBe(UNITS);
  });
});

describe('over NATS, throughout', () => {
  it('answered no request with a 500', () => {
    expect(answered.filter((a) => a.status >= 500)).toEqual([]);
  });
});

describe('embedded mode (npm start): offers, claims, declines and raises the same way', () => {
  let node: EmbeddedNode | undefined;

  afterAll(async () => {
    await node?.destroy();
  });

  it('offers released units to the first in line, passes a declined offer on, lets the offer be claimed, and offers a raised quantity', async () => {
    node = await embeddedNode('waitlist', { WAITLIST_OFFER_SECONDS: '600' });
    await node.start();
    const local = node.api;
    const host = await register(local, { role: 'organizer' });
    const [owner, first, second, third] = await Promise.all([
      register(local),
      register(local),
      register(local),
      register(local),
    ]);
    const event = await createEvent(local, host.access);
    const type = await createTicketType(local, host.access, event.id, { quantity: 2 });
    const body = (quantity: number) => ({
      event_id: event.id,
      payment_method: 'cash',
      items: [{ ticket_type_id: type.id, quantity }],
    });
    const held = await local('POST', '/api/v1/orders', { token: owner.access, body: body(2) });
    expect(held.status).toBe(201);
    for (const user of [first, second, third]) {
      const joined = await local('POST', `/api/v1/tickets/types/${type.id}/waitlist`, {
        token: user.access,
        body: { quantity: 1 },
      });
      expect(joined.status).toBe(201);
    }
    expect((await local('DELETE', `/api/v1/orders/${held.body.id}`, { token: owner.access })).status).toBe(200);
    const place = (user: Registered) =>
      local('GET', `/api/v1/tickets/types/${type.id}/waitlist`, { token: user.access });
    expect((await place(first)).body).toMatchObject({ state: 'offered' });
    expect((await place(second)).body).toMatchObject({ state: 'offered' });
    expect((await place(third)).body).toMatchObject({ state: 'waiting', position: 1 });
    expectProblem(await local('POST', '/api/v1/orders', { token: host.access, body: body(1) }), 409);

    expect((await local('DELETE', `/api/v1/tickets/types/${type.id}/waitlist`, { token: second.access })).status).toBe(
      200,
    );
    expect((await place(third)).body).toMatchObject({ state: 'offered' });
    expect((await local('POST', '/api/v1/orders', { token: third.access, body: body(1) })).status).toBe(201);
    expect((await local('GET', `/api/v1/tickets/types/${type.id}`)).body).toMatchObject({ available_quantity: 0 });

    // A raised quantity is offered too: to the one now waiting (who declined before and joined again), not to a buyer.
    const rejoined = await local('POST', `/api/v1/tickets/types/${type.id}/waitlist`, {
      token: second.access,
      body: { quantity: 1 },
    });
    expect(rejoined.body).toMatchObject({ state: 'waiting', position: 1 });
    const raised = await local('PUT', `/api/v1/tickets/types/${type.id}`, {
      token: host.access,
      body: { quantity: 3 },
    });
    expect(raised.body).toMatchObject({ quantity: 3, available_quantity: 0 });
    expect((await place(second)).body).toMatchObject({ state: 'offered', offer: { quantity: 1 } });
    expectProblem(await local('POST', '/api/v1/orders', { token: host.access, body: body(1) }), 409);
  });
});
