import type { Knex } from 'knex';
import {
  call as callAction,
  TicketTypeSchema,
  type ActionName,
  type AuthUser,
  type Event,
  type ParamsOf,
} from '@ticketpro/shared';
import { defaultPage, malformed } from '@ticketpro/shared/testing';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { inventoryOf } from '../support/catalog-database';
import {
  admin,
  as,
  createEvent,
  createTicketType,
  hold,
  holdParams,
  inDays,
  newTicketTypeBody,
  organizer,
  otherOrganizer,
  plainUser,
} from '../support/catalog-fixtures';

let node: CatalogNode;
let db: Knex;
let event: Event;

beforeAll(async () => {
  node = await startCatalogNode('catalog_ticket_types');
  db = node.db;
  event = await createEvent(node.broker);
});

afterAll(() => node?.stop());

const call = <A extends ActionName>(action: A, params: ParamsOf<A>, caller?: AuthUser) =>
  callAction(node.broker, action, params, as(caller));
const unauthorized = { code: 401, type: 'unauthorized' };
const forbidden = { code: 403, type: 'forbidden' };
const notFound = { code: 404, type: 'not-found', message: 'Ticket type not found' };

describe('catalog.ticketTypes.create', () => {
  it("adds a ticket type for the event's organizer, in USD unless told otherwise", async () => {
    const body = newTicketTypeBody(event.id, { max_per_order: 4 });

    const ticketType = await call('catalog.ticketTypes.create', body, organizer);

    expect(Object.keys(ticketType).sort()).toEqual(Object.keys(TicketTypeSchema.properties).sort());
    expect(ticketType).toMatchObject({
      id: expect.any(Number),
      event_id: event.id,
      name: body.name,
      description: body.description,
      price: 19.99,
      currency: 'USD',
      quantity: 100,
      available_quantity: 100,
      sold_quantity: 0,
      sales_start: null,
      sales_end: null,
      max_per_order: 4,
    });
  });

  it('lets an admin add one, in ZWG with a sales window', async () => {
    const window = { sales_start: inDays(1), sales_end: inDays(10) };

    const ticketType = await createTicketType(
      node.broker,
      event.id,
      { currency: 'ZWG', price: 250.5, ...window },
      admin,
    );

    expect(ticketType).toMatchObject({ currency: 'ZWG', price: 250.5, ...window });
  });

  it.each([
    ['another organizer', otherOrganizer, forbidden],
    ['a plain user', plainUser, forbidden],
    ['an anonymous caller', undefined, unauthorized],
  ])('refuses %s', async (_who, caller, problem) => {
    await expect(call('catalog.ticketTypes.create', newTicketTypeBody(event.id), caller)).rejects.toMatchObject(
      problem,
    );
  });

  it('answers 404 for a missing or deleted event', async () => {
    const gone = await createEvent(node.broker);
    await call('catalog.events.delete', { id: gone.id }, organizer);

    for (const eventId of [gone.id, 2_000_000_000]) {
      await expect(call('catalog.ticketTypes.create', newTicketTypeBody(eventId), admin)).rejects.toMatchObject({
        code: 404,
        message: 'Event not found',
      });
    }
  });

  it('refuses a sales window that ends before it starts', async () => {
    await expect(
      call(
        'catalog.ticketTypes.create',
        newTicketTypeBody(event.id, { sales_start: inDays(5), sales_end: inDays(4) }),
        organizer,
      ),
    ).rejects.toMatchObject({
      code: 422,
      data: { errors: [{ field: 'sales_end', message: 'must be after sales_start' }] },
    });
  });

  it.each([
    ['a short name', { name: 'GA' }],
    ['a short description', { description: 'Short' }],
    ['a negative price', { price: -1 }],
    ['a price with three decimals', { price: 19.999 }],
    ['a price over 100000', { price: 100000.01 }],
    ['a price as a string', { price: '19.99' }],
    ['zero quantity', { quantity: 0 }],
    ['a fractional quantity', { quantity: 1.5 }],
    ['a lowercase currency', { currency: 'usd' }],
    ['zero per order', { max_per_order: 0 }],
    ['a sold quantity from the client', { sold_quantity: 5 }],
    ['an available quantity from the client', { available_quantity: 5 }],
    ['a non-numeric event', { event_id: 'abc' }],
  ])('answers 422 for %s', async (_case, change) => {
    await expect(
      call('catalog.ticketTypes.create', malformed({ ...newTicketTypeBody(event.id), ...change }), organizer),
    ).rejects.toMatchObject({
      code: 422,
    });
  });
});

describe('money', () => {
  it.each([19.99, 0, 0.1, 1000.1, 99999.99, 100000])('keeps %p exactly as it came in', async (price) => {
    const created = await createTicketType(node.broker, event.id, { price });

    expect(created.price).toBe(price);
    await expect(call('catalog.ticketTypes.get', { id: created.id })).resolves.toMatchObject({ price });
    const stored = await db('ticket_types').where('id', created.id).first(db.raw('price::text AS price'));
    expect(stored.price).toBe(price.toFixed(2));
  });
});

describe('catalog.ticketTypes.get and list', () => {
  it("shows a live ticket type to anyone; a missing, deleted, or deleted event's one is 404", async () => {
    const shown = await createTicketType(node.broker, event.id);
    const deleted = await createTicketType(node.broker, event.id);
    await call('catalog.ticketTypes.delete', { id: deleted.id }, organizer);
    const otherEvent = await createEvent(node.broker);
    const orphan = await createTicketType(node.broker, otherEvent.id);
    await call('catalog.events.delete', { id: otherEvent.id }, organizer);

    await expect(call('catalog.ticketTypes.get', { id: shown.id })).resolves.toMatchObject({ id: shown.id });
    for (const id of [deleted.id, orphan.id, 2_000_000_000]) {
      await expect(call('catalog.ticketTypes.get', { id })).rejects.toMatchObject(notFound);
    }
  });

  it('lists live types by event, then price, then id, and pages them', async () => {
    const [first, second] = [await createEvent(node.broker), await createEvent(node.broker)];
    const b1 = await createTicketType(node.broker, second.id, { price: 5 });
    const a2 = await createTicketType(node.broker, first.id, { price: 50 });
    const a1 = await createTicketType(node.broker, first.id, { price: 10 });
    const a3 = await createTicketType(node.broker, first.id, { price: 50 });
    const gone = await createTicketType(node.broker, first.id, { price: 1 });
    await call('catalog.ticketTypes.delete', { id: gone.id }, organizer);

    const ofFirst = await call('catalog.ticketTypes.list', defaultPage({ event_id: first.id }));
    const all = await call('catalog.ticketTypes.list', defaultPage({ limit: 100 }));
    const paged = await call('catalog.ticketTypes.list', { event_id: first.id, skip: 1, limit: 1 });

    expect(ofFirst.items.map((t) => t.id)).toEqual([a1.id, a2.id, a3.id]);
    const ids = all.items.map((t) => t.id);
    expect(ids.indexOf(a3.id)).toBeLessThan(ids.indexOf(b1.id));
    expect(ids).not.toContain(gone.id);
    expect(paged).toMatchObject({
      total: 3,
      skip: 1,
      limit: 1,
      has_next: true,
      has_prev: true,
      items: [{ id: a2.id }],
    });
  });

  it.each([
    ['limit over 100', { limit: 101 }],
    ['a non-numeric event', { event_id: 'one' }],
    ['an unknown filter', { name: 'VIP' }],
  ])('answers 422 for %s', async (_case, query) => {
    await expect(call('catalog.ticketTypes.list', malformed(query))).rejects.toMatchObject({ code: 422 });
  });

  it('counts sold units and live holds out of what is available', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 10 });
    const sold = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 3 }]));
    await callAction(node.broker, 'catalog.inventory.confirm', { order_id: sold.order_id });
    await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 2 }]));

    await expect(call('catalog.ticketTypes.get', { id: ticketType.id })).resolves.toMatchObject({
      quantity: 10,
      sold_quantity: 3,
      available_quantity: 5,
    });
  });
});

describe('catalog.ticketTypes.update', () => {
  it.each([
    ["the event's organizer", organizer],
    ['an admin', admin],
  ])('lets %s change it', async (_who, caller) => {
    const ticketType = await createTicketType(node.broker, event.id);

    const changed = await call(
      'catalog.ticketTypes.update',
      { id: ticketType.id, price: 24.5, quantity: 120, name: 'Standing', max_per_order: null },
      caller,
    );

    expect(changed).toMatchObject({
      id: ticketType.id,
      price: 24.5,
      quantity: 120,
      available_quantity: 120,
      name: 'Standing',
    });
  });

  it.each([
    ['another organizer', otherOrganizer, forbidden],
    ['a plain user', plainUser, forbidden],
    ['an anonymous caller', undefined, unauthorized],
  ])('refuses %s', async (_who, caller, problem) => {
    const ticketType = await createTicketType(node.broker, event.id);

    await expect(call('catalog.ticketTypes.update', { id: ticketType.id, price: 1 }, caller)).rejects.toMatchObject(
      problem,
    );
    await expect(call('catalog.ticketTypes.get', { id: ticketType.id })).resolves.toMatchObject({ price: 19.99 });
  });

  it('answers 404 for a missing or deleted ticket type', async () => {
    const ticketType = await createTicketType(node.broker, event.id);
    await call('catalog.ticketTypes.delete', { id: ticketType.id }, organizer);

    await expect(call('catalog.ticketTypes.update', { id: ticketType.id, price: 1 }, organizer)).rejects.toMatchObject(
      notFound,
    );
    await expect(call('catalog.ticketTypes.update', { id: 2_000_000_000, price: 1 }, admin)).rejects.toMatchObject(
      notFound,
    );
  });

  it('refuses a quantity below what is sold and held (409), and takes one that just covers them', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 10 });
    const sold = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 4 }]));
    await callAction(node.broker, 'catalog.inventory.confirm', { order_id: sold.order_id });
    await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 3 }]));

    await expect(
      call('catalog.ticketTypes.update', { id: ticketType.id, quantity: 6 }, organizer),
    ).rejects.toMatchObject({
      code: 409,
      data: { minimum_quantity: 7 },
    });
    await expect(call('catalog.ticketTypes.get', { id: ticketType.id })).resolves.toMatchObject({ quantity: 10 });

    await expect(
      call('catalog.ticketTypes.update', { id: ticketType.id, quantity: 7 }, organizer),
    ).resolves.toMatchObject({
      quantity: 7,
      available_quantity: 0,
    });
  });

  it('does not count expired holds against a lower quantity', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 10 });
    await hold(
      node.broker,
      holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 8 }], { expiresInMs: 300 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));

    await expect(
      call('catalog.ticketTypes.update', { id: ticketType.id, quantity: 2 }, organizer),
    ).resolves.toMatchObject({
      quantity: 2,
      available_quantity: 2,
    });
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 0, heldByHolds: 0 });
  });

  it('checks a changed end of the sales window against the stored other end', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { sales_start: inDays(5) });

    await expect(
      call('catalog.ticketTypes.update', { id: ticketType.id, sales_end: inDays(2) }, organizer),
    ).rejects.toMatchObject({
      code: 422,
      data: { errors: [{ field: 'sales_end', message: 'must be after sales_start' }] },
    });
    await expect(
      call('catalog.ticketTypes.update', { id: ticketType.id, sales_start: null, sales_end: inDays(2) }, organizer),
    ).resolves.toMatchObject({
      sales_start: null,
    });
  });

  it('keeps the price an order was quoted when the price changes later', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { price: 19.99 });
    const quoted = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 2 }]));

    await call('catalog.ticketTypes.update', { id: ticketType.id, price: 25 }, organizer);
    const repeated = await hold(
      node.broker,
      holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 2 }], { orderId: quoted.order_id }),
    );

    expect(repeated).toMatchObject({ total_price: '39.98', items: [{ unit_price: '19.99' }] });
  });

  it.each([
    ['nothing to change', {}],
    ['a sold quantity', { sold_quantity: 0 }],
    ['another event', { event_id: 1 }],
    ['a negative price', { price: -5 }],
    ['zero quantity', { quantity: 0 }],
  ])('answers 422 for %s', async (_case, change) => {
    const ticketType = await createTicketType(node.broker, event.id);
    await expect(call('catalog.ticketTypes.update', { id: ticketType.id, ...change }, organizer)).rejects.toMatchObject(
      { code: 422 },
    );
  });
});

describe('catalog.ticketTypes.delete', () => {
  it.each([
    ["the event's organizer", organizer],
    ['an admin', admin],
  ])('lets %s delete it', async (_who, caller) => {
    const ticketType = await createTicketType(node.broker, event.id);

    await expect(call('catalog.ticketTypes.delete', { id: ticketType.id }, caller)).resolves.toEqual({
      message: 'Ticket type deleted',
    });
    await expect(call('catalog.ticketTypes.get', { id: ticketType.id })).rejects.toMatchObject(notFound);
    expect(await db('ticket_types').where('id', ticketType.id).first()).toMatchObject({ deleted_at: expect.any(Date) });
  });

  it.each([
    ['another organizer', otherOrganizer, forbidden],
    ['a plain user', plainUser, forbidden],
    ['an anonymous caller', undefined, unauthorized],
  ])('refuses %s', async (_who, caller, problem) => {
    const ticketType = await createTicketType(node.broker, event.id);

    await expect(call('catalog.ticketTypes.delete', { id: ticketType.id }, caller)).rejects.toMatchObject(problem);
    await expect(call('catalog.ticketTypes.get', { id: ticketType.id })).resolves.toMatchObject({ id: ticketType.id });
  });

  it('answers 404 for a missing ticket type, and for one deleted already', async () => {
    const ticketType = await createTicketType(node.broker, event.id);
    await call('catalog.ticketTypes.delete', { id: ticketType.id }, organizer);

    await expect(call('catalog.ticketTypes.delete', { id: ticketType.id }, organizer)).rejects.toMatchObject(notFound);
    await expect(call('catalog.ticketTypes.delete', { id: 2_000_000_000 }, admin)).rejects.toMatchObject(notFound);
  });

  it('refuses while units are held or sold, and allows it once they are back', async () => {
    const ticketType = await createTicketType(node.broker, event.id);
    const order = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }]));
    const conflict = { code: 409, data: { ticket_type_id: ticketType.id } };

    await expect(call('catalog.ticketTypes.delete', { id: ticketType.id }, organizer)).rejects.toMatchObject(conflict);
    await callAction(node.broker, 'catalog.inventory.confirm', { order_id: order.order_id });
    await expect(call('catalog.ticketTypes.delete', { id: ticketType.id }, organizer)).rejects.toMatchObject(conflict);
    await callAction(node.broker, 'catalog.inventory.restock', { order_id: order.order_id });

    await expect(call('catalog.ticketTypes.delete', { id: ticketType.id }, organizer)).resolves.toEqual({
      message: 'Ticket type deleted',
    });
  });
});

describe('ticket type records', () => {
  it('records created, updated and deleted with the exact price', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { price: 0.1 });
    await call('catalog.ticketTypes.update', { id: ticketType.id, price: 1000.1, quantity: 7 }, organizer);
    await call('catalog.ticketTypes.delete', { id: ticketType.id }, organizer);

    const rows: { name: string; envelope: { data: object } }[] = await db('outbox')
      .whereRaw("name LIKE 'catalog.ticket_type.%' AND (envelope->'data'->>'id')::int = ?", [ticketType.id])
      .orderBy('seq');

    expect(rows.map((r) => [r.name, r.envelope.data])).toEqual([
      ['catalog.ticket_type.created', expect.objectContaining({ price: '0.10', quantity: 100 })],
      ['catalog.ticket_type.updated', expect.objectContaining({ price: '1000.10', quantity: 7 })],
      ['catalog.ticket_type.deleted', { id: ticketType.id, event_id: event.id }],
    ]);
  });
});
