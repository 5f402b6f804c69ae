import type { Knex } from 'knex';
import { call, type AuthUser, type Event } from '@ticketpro/shared';
import { malformed } from '@ticketpro/shared/testing';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { inventoryOf } from '../support/catalog-database';
import {
  admin,
  as,
  createEvent,
  createTicketType,
  hold,
  holdParams,
  organizer,
  otherOrganizer,
} from '../support/catalog-fixtures';
import { sweepExpiredHolds } from '../../src/inventory/sweep-expired-holds';

const OFFER_SECONDS = 900;

let node: CatalogNode;
let db: Knex;
let event: Event;

beforeAll(async () => {
  node = await startCatalogNode('catalog_waitlist', { WAITLIST_OFFER_SECONDS: OFFER_SECONDS });
  db = node.db;
  event = await createEvent(node.broker);
});

afterAll(() => node?.stop());

let lastUser = 50_000 + Math.floor(Math.random() * 1_000_000);
const newUser = (): AuthUser => ({ id: ++lastUser, role: 'user' });
const users = (n: number) => Array.from({ length: n }, newUser);

const join = (user: AuthUser, id: number, quantity = 1) =>
  call(node.broker, 'catalog.waitlist.join', { id, quantity }, as(user));
const positionOf = (user: AuthUser, id: number) => call(node.broker, 'catalog.waitlist.get', { id }, as(user));
const leave = (user: AuthUser, id: number) => call(node.broker, 'catalog.waitlist.leave', { id }, as(user));
const entries = (id: number, caller: AuthUser = organizer, page = { skip: 0, limit: 100 }) =>
  call(node.broker, 'catalog.waitlist.list', { id, ...page }, as(caller));
const release = (orderId: number) => call(node.broker, 'catalog.inventory.release', { order_id: orderId });
const available = async (id: number) => (await call(node.broker, 'catalog.ticketTypes.get', { id })).available_quantity;
/** Units a user may order of a type: one hold of `quantity` for them, as ordering places it. */
const order = (user: AuthUser, id: number, quantity = 1) =>
  hold(
    node.broker,
    holdParams(event.id, [{ ticket_type_id: id, quantity }], { holder: { user_id: user.id, exempt: false } }),
  );
const offersOf = (id: number) =>
  db('waitlist_entries')
    .where({ ticket_type_id: id, state: 'offered' })
    .orderBy('id')
    .select('user_id', 'offered_quantity');
const offeredEvents = async (id: number) =>
  (
    await db('outbox')
      .where('name', 'catalog.waitlist.offered')
      .orderBy('seq')
      .select<{ envelope: { data: { ticket_type_id: number; user_id: number; quantity: number } } }[]>('envelope')
  )
    .map((r) => r.envelope.data)
    .filter((d) => d.ticket_type_id === id);

/** The books of a type: sold + live holds + open offers never pass the quantity, and the counters agree with the rows. */
async function expectBalanced(id: number) {
  const books = await inventoryOf(db, id);
  expect(books.held).toBe(books.heldByHolds + books.offered);
  expect(books.sold + books.held).toBeLessThanOrEqual(books.quantity);
  return books;
}

/** A ticket type whose `quantity` units one order holds; `units` releases it. */
async function soldOut(quantity: number, overrides: Partial<Parameters<typeof createTicketType>[2]> = {}) {
  const ticketType = await createTicketType(node.broker, event.id, { quantity, ...overrides });
  const params = holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity }], {
    holder: { user_id: admin.id, exempt: true },
  });
  await hold(node.broker, params);
  return { id: ticketType.id, orderId: params.order_id };
}

describe('joining', () => {
  it('joins a sold-out type in order: places 1, 2, 3, as each user reads them', async () => {
    const { id } = await soldOut(2);
    const [a, b, c] = users(3);
    expect(await join(a, id, 2)).toMatchObject({
      ticket_type_id: id,
      quantity: 2,
      state: 'waiting',
      position: 1,
      offer: null,
    });
    expect(await join(b, id)).toMatchObject({ position: 2 });
    expect(await join(c, id)).toMatchObject({ position: 3 });
    expect(await positionOf(b, id)).toMatchObject({ position: 2, quantity: 1 });
    await leave(a, id);
    expect(await positionOf(b, id)).toMatchObject({ position: 1 });
    expect(await positionOf(c, id)).toMatchObject({ position: 2 });
  });

  it('refuses a type with units free (409, saying how many), above max_per_order (422), unknown (404)', async () => {
    const open = await createTicketType(node.broker, event.id, { quantity: 5 });
    await expect(join(newUser(), open.id)).rejects.toMatchObject({ code: 409, data: { available: 5 } });
    const { id } = await soldOut(2, { max_per_order: 2 });
    await expect(join(newUser(), id, 3)).rejects.toMatchObject({
      code: 422,
      data: { errors: [{ field: 'quantity' }] },
    });
    await expect(join(newUser(), 2_000_000_000)).rejects.toMatchObject({ code: 404 });
    expect(await db('waitlist_entries').whereIn('ticket_type_id', [open.id, id])).toEqual([]);
  });

  it('keeps one entry per user: a repeat is 409 naming the place, and 10 at once make one entry', async () => {
    const { id } = await soldOut(1);
    const user = newUser();
    await join(newUser(), id);
    await join(user, id);
    await expect(join(user, id)).rejects.toMatchObject({ code: 409, data: { position: 2, state: 'waiting' } });
    const racer = newUser();
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => join(racer, id)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason.code).toBe(409);
    expect(await db('waitlist_entries').where({ ticket_type_id: id, user_id: racer.id })).toHaveLength(1);
  });

  it("answers 404 for someone else's entry, and for leaving twice", async () => {
    const { id } = await soldOut(1);
    const [mine, stranger] = users(2);
    await join(mine, id);
    await expect(positionOf(stranger, id)).rejects.toMatchObject({ code: 404 });
    await expect(leave(stranger, id)).rejects.toMatchObject({ code: 404 });
    expect(await positionOf(mine, id)).toMatchObject({ position: 1 });
    await leave(mine, id);
    await expect(leave(mine, id)).rejects.toMatchObject({ code: 404 });
    await expect(positionOf(mine, id)).rejects.toMatchObject({ code: 404 });
  });
});

describe('offers', () => {
  it('offers released units to the first entries in join order, the last one what is left, with one event each', async () => {
    const { id, orderId } = await soldOut(4);
    const [a, b, c, d] = users(4);
    await join(a, id, 2);
    await join(b, id, 1);
    await join(c, id, 2);
    await join(d, id, 1);

    await release(orderId);

    expect(await offersOf(id)).toEqual([
      { user_id: a.id, offered_quantity: 2 },
      { user_id: b.id, offered_quantity: 1 },
      { user_id: c.id, offered_quantity: 1 },
    ]);
    expect(await positionOf(a, id)).toMatchObject({ state: 'offered', position: null, offer: { quantity: 2 } });
    const offer = (await positionOf(a, id)).offer!;
    expect(Date.parse(offer.expires_at) - Date.now()).toBeGreaterThan((OFFER_SECONDS - 60) * 1000);
    expect(await positionOf(d, id)).toMatchObject({ state: 'waiting', position: 1 });
    expect(await offeredEvents(id)).toEqual([
      expect.objectContaining({ user_id: a.id, quantity: 2, event_id: event.id }),
      expect.objectContaining({ user_id: b.id, quantity: 1 }),
      expect.objectContaining({ user_id: c.id, quantity: 1 }),
    ]);
    expect(await available(id)).toBe(0);
    expect(await expectBalanced(id)).toMatchObject({ held: 4, heldByHolds: 0, offered: 4 });
    await expect(order(newUser(), id)).rejects.toMatchObject({ code: 409 });
  });

  it('is claimed by its user ordering the type: the order takes the offered units, any not taken pass on', async () => {
    const { id, orderId } = await soldOut(3);
    const [a, b] = users(2);
    await join(a, id, 3);
    await join(b, id, 1);
    await release(orderId);
    expect(await offersOf(id)).toEqual([{ user_id: a.id, offered_quantity: 3 }]);

    const held = await order(a, id, 2);
    expect(held.items).toEqual([expect.objectContaining({ ticket_type_id: id, quantity: 2 })]);
    expect(await db('waitlist_entries').where({ ticket_type_id: id, user_id: a.id }).first()).toMatchObject({
      state: 'claimed',
      order_id: held.order_id,
    });
    expect(await offersOf(id)).toEqual([{ user_id: b.id, offered_quantity: 1 }]);
    expect(await expectBalanced(id)).toMatchObject({ held: 3, heldByHolds: 2, offered: 1 });
    await expect(positionOf(a, id)).rejects.toMatchObject({ code: 404 });
  });

  it('keeps the offer when the claiming order is refused (more units than are there), and it rolls back whole', async () => {
    const { id, orderId } = await soldOut(2);
    const user = newUser();
    await join(user, id, 2);
    await release(orderId);
    await expect(order(user, id, 3)).rejects.toMatchObject({ code: 409 });
    expect(await offersOf(id)).toEqual([{ user_id: user.id, offered_quantity: 2 }]);
    await expectBalanced(id);
  });

  it('passes an unclaimed offer on once it lapses: the sweep offers its units to the next entry', async () => {
    const { id, orderId } = await soldOut(1);
    const [first, second] = users(2);
    await join(first, id);
    await join(second, id);
    await release(orderId);
    await db('waitlist_entries')
      .where({ ticket_type_id: id, user_id: first.id })
      .update({ offer_expires_at: db.raw("now() - interval '1 second'") });
    // Reads count a lapsed offer as gone at once, before any sweep.
    await expect(positionOf(first, id)).rejects.toMatchObject({ code: 404 });

    await sweepExpiredHolds(db, OFFER_SECONDS);

    expect(await db('waitlist_entries').where({ ticket_type_id: id, user_id: first.id }).first()).toMatchObject({
      state: 'lapsed',
    });
    expect(await offersOf(id)).toEqual([{ user_id: second.id, offered_quantity: 1 }]);
    expect(await expectBalanced(id)).toMatchObject({ held: 1, offered: 1 });
    await expect(sweepExpiredHolds(db, OFFER_SECONDS)).resolves.toBe(0);
  });

  it('gives a lapsed offer to the next entry, not to a buyer whose order finds it before the sweep', async () => {
    const { id, orderId } = await soldOut(1);
    const [first, second] = users(2);
    await join(first, id);
    await join(second, id);
    await release(orderId);
    await db('waitlist_entries')
      .where({ ticket_type_id: id, user_id: first.id })
      .update({ offer_expires_at: db.raw("now() - interval '1 second'") });
    await expect(order(newUser(), id)).rejects.toMatchObject({ code: 409 });
    // The refused order rolled back what it reclaimed; the sweep does it for good.
    await sweepExpiredHolds(db, OFFER_SECONDS);
    expect(await offersOf(id)).toEqual([{ user_id: second.id, offered_quantity: 1 }]);
    await expect(order(second, id)).resolves.toMatchObject({ items: [expect.objectContaining({ quantity: 1 })] });
    await expectBalanced(id);
  });

  it('passes a declined offer on when its user leaves the list', async () => {
    const { id, orderId } = await soldOut(1);
    const [first, second] = users(2);
    await join(first, id);
    await join(second, id);
    await release(orderId);
    await leave(first, id);
    expect(await offersOf(id)).toEqual([{ user_id: second.id, offered_quantity: 1 }]);
    expect(await expectBalanced(id)).toMatchObject({ held: 1, offered: 1 });
  });

  it('offers units a raised quantity adds, and leaves the rest for sale once nobody waits', async () => {
    const { id } = await soldOut(1);
    const [a, b] = users(2);
    await join(a, id);
    await join(b, id);
    await call(node.broker, 'catalog.ticketTypes.update', { id, quantity: 4 }, as(organizer));
    expect(await offersOf(id)).toEqual([
      { user_id: a.id, offered_quantity: 1 },
      { user_id: b.id, offered_quantity: 1 },
    ]);
    expect(await available(id)).toBe(1);
    expect(await expectBalanced(id)).toMatchObject({ held: 3, offered: 2 });
    // Offered units count as held: the quantity cannot drop below them.
    await expect(
      call(node.broker, 'catalog.ticketTypes.update', { id, quantity: 2 }, as(organizer)),
    ).rejects.toMatchObject({ code: 409 });
  });

  it('offers units a refund puts back on sale', async () => {
    const { id, orderId } = await soldOut(2);
    await call(node.broker, 'catalog.inventory.confirm', { order_id: orderId });
    const user = newUser();
    await join(user, id, 2);
    await call(node.broker, 'catalog.inventory.restock', { order_id: orderId });
    expect(await offersOf(id)).toEqual([{ user_id: user.id, offered_quantity: 2 }]);
    expect(await expectBalanced(id)).toMatchObject({ sold: 0, held: 2, offered: 2 });
  });
});

describe('with an event capacity', () => {
  it('counts a full event as sold out, offers seats a release frees to entries of any of its types in join order, never past the capacity', async () => {
    const full = await createEvent(node.broker, organizer, { capacity: 3 });
    const a = await createTicketType(node.broker, full.id, { quantity: 10 });
    const b = await createTicketType(node.broker, full.id, { quantity: 10 });
    const params = holdParams(full.id, [{ ticket_type_id: b.id, quantity: 3 }], {
      holder: { user_id: admin.id, exempt: true },
    });
    await hold(node.broker, params);
    const [first, second, third] = users(3);
    // Type A has 10 of its own left, but the event has no seat: A counts as sold out.
    await join(first, a.id, 2);
    await join(second, b.id, 2);
    await join(third, a.id, 1);

    await release(params.order_id);

    expect(await offersOf(a.id)).toEqual([{ user_id: first.id, offered_quantity: 2 }]);
    expect(await offersOf(b.id)).toEqual([{ user_id: second.id, offered_quantity: 1 }]);
    expect(await positionOf(third, a.id)).toMatchObject({ state: 'waiting', position: 1 });
    const [booksA, booksB] = [await expectBalanced(a.id), await expectBalanced(b.id)];
    expect(booksA.sold + booksA.held + booksB.sold + booksB.held).toBe(3);
    await expect(hold(node.broker, holdParams(full.id, [{ ticket_type_id: a.id, quantity: 1 }]))).rejects.toMatchObject(
      {
        code: 409,
      },
    );

    await call(node.broker, 'catalog.events.update', { id: full.id, capacity: 4 }, as(organizer));
    expect(await offersOf(a.id)).toEqual([
      { user_id: first.id, offered_quantity: 2 },
      { user_id: third.id, offered_quantity: 1 },
    ]);
    const [afterA, afterB] = [await expectBalanced(a.id), await expectBalanced(b.id)];
    expect(afterA.held + afterB.held).toBe(4);
  });
});

describe('deleting the ticket type', () => {
  it('closes its waiting list, giving offered units back, so offers do not block the deletion', async () => {
    const { id, orderId } = await soldOut(2);
    const [a, b, c] = users(3);
    for (const u of [a, b, c]) await join(u, id);
    await release(orderId);
    expect(await offersOf(id)).toHaveLength(2);
    await expect(call(node.broker, 'catalog.ticketTypes.delete', { id }, as(organizer))).resolves.toMatchObject({
      message: expect.any(String),
    });
    expect(await inventoryOf(db, id)).toMatchObject({ held: 0, offered: 0 });
    expect(await db('waitlist_entries').where('ticket_type_id', id).whereIn('state', ['waiting', 'offered'])).toEqual(
      [],
    );
    await expect(positionOf(c, id)).rejects.toMatchObject({ code: 404 });
  });
});

describe('the race', () => {
  it('50 waiting, 20 units released at once while others try to buy them: exactly 20 offers, to the first 20', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 20 });
    const id = ticketType.id;
    const orders = await Promise.all(
      Array.from({ length: 20 }, () =>
        hold(node.broker, holdParams(event.id, [{ ticket_type_id: id, quantity: 1 }])).then((h) => h.order_id),
      ),
    );
    const waiting = users(50);
    const joined = await Promise.all(waiting.map((u) => join(u, id)));
    expect(joined.map((j) => j.position).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const inLine = (await entries(id)).items.map((e) => e.user_id);

    const buyers = users(10);
    const outcomes = await Promise.allSettled([...orders.map((o) => release(o)), ...buyers.map((b) => order(b, id))]);

    expect(outcomes.slice(0, 20).every((o) => o.status === 'fulfilled')).toBe(true);
    for (const o of outcomes.slice(20)) expect(o).toMatchObject({ status: 'rejected', reason: { code: 409 } });
    const offers = await offersOf(id);
    expect(offers).toHaveLength(20);
    expect(offers.map((o) => o.user_id)).toEqual(inLine.slice(0, 20));
    expect(await offeredEvents(id)).toHaveLength(20);
    expect(await expectBalanced(id)).toMatchObject({ quantity: 20, sold: 0, held: 20, heldByHolds: 0, offered: 20 });
    expect(await available(id)).toBe(0);
    const list = await entries(id);
    expect(list.items.filter((e) => e.state === 'waiting').map((e) => e.position)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
  });
});

describe('the race with an event capacity', () => {
  it('50 waiting on two types of an event of 20 seats, 20 seats released at once: 20 offers, to the first 20 of either type', async () => {
    const full = await createEvent(node.broker, organizer, { capacity: 20 });
    const types = [
      await createTicketType(node.broker, full.id, { quantity: 100 }),
      await createTicketType(node.broker, full.id, { quantity: 100 }),
    ];
    const orders = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        hold(node.broker, holdParams(full.id, [{ ticket_type_id: types[i % 2].id, quantity: 1 }])).then(
          (h) => h.order_id,
        ),
      ),
    );
    const waiting = users(50);
    await Promise.all(waiting.map((u, i) => join(u, types[i % 2].id)));
    const inLine: number[] = (
      await db('waitlist_entries')
        .whereIn(
          'ticket_type_id',
          types.map((t) => t.id),
        )
        .orderBy('id')
        .select('user_id')
    ).map((r: { user_id: number }) => r.user_id);

    const outcomes = await Promise.allSettled([
      ...orders.map((o) => release(o)),
      ...users(10).map((b, i) =>
        hold(
          node.broker,
          holdParams(full.id, [{ ticket_type_id: types[i % 2].id, quantity: 1 }], {
            holder: { user_id: b.id, exempt: false },
          }),
        ),
      ),
    ]);

    expect(outcomes.slice(0, 20).every((o) => o.status === 'fulfilled')).toBe(true);
    for (const o of outcomes.slice(20)) expect(o).toMatchObject({ status: 'rejected', reason: { code: 409 } });
    const offered = (
      await db('waitlist_entries')
        .whereIn(
          'ticket_type_id',
          types.map((t) => t.id),
        )
        .where('state', 'offered')
        .orderBy('id')
        .select('user_id')
    ).map((r: { user_id: number }) => r.user_id);
    expect(offered).toEqual(inLine.slice(0, 20));
    const books = await Promise.all(types.map((t) => expectBalanced(t.id)));
    expect(books.reduce((sum, b) => sum + b.sold + b.held, 0)).toBe(20);
  });
});

describe('the organizer’s list', () => {
  it("shows the open entries in join order to the event's organizer and admins, a page at a time; 403 for others", async () => {
    const { id } = await soldOut(1);
    const [a, b, c] = users(3);
    for (const u of [a, b, c]) await join(u, id);
    const page = await entries(id, organizer, { skip: 1, limit: 1 });
    expect(page).toMatchObject({ total: 3, skip: 1, limit: 1, has_next: true, has_prev: true });
    expect(page.items).toEqual([
      expect.objectContaining({ user_id: b.id, position: 2, state: 'waiting', quantity: 1 }),
    ]);
    expect((await entries(id, admin)).items.map((e) => e.user_id)).toEqual([a.id, b.id, c.id]);
    await expect(entries(id, otherOrganizer)).rejects.toMatchObject({ code: 403 });
    await expect(entries(id, a)).rejects.toMatchObject({ code: 403 });
    await expect(entries(2_000_000_000)).rejects.toMatchObject({ code: 404 });
  });

  it('refuses unknown fields, NUL bytes and out-of-range numbers at the action (422)', async () => {
    const { id } = await soldOut(1);
    const user = newUser();
    for (const params of [
      { id, quantity: 1, user_id: 5 },
      { id, quantity: 0 },
      { id, quantity: 100001 },
      { id: 0, quantity: 1 },
      { id, quantity: '1\u0000' },
    ]) {
      await expect(call(node.broker, 'catalog.waitlist.join', malformed(params), as(user))).rejects.toMatchObject({
        code: 422,
      });
    }
    await expect(
      call(node.broker, 'catalog.waitlist.list', { id, skip: 0, limit: 101 }, as(organizer)),
    ).rejects.toMatchObject({ code: 422 });
    expect(await db('waitlist_entries').where('ticket_type_id', id)).toEqual([]);
  });
});
