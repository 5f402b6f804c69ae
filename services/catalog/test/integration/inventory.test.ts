import type { Knex } from 'knex';
import { call, type Event, type HoldParams, type TicketType } from '@ticketpro/shared';
import { malformed, type ActionsUnder } from '@ticketpro/shared/testing';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { inventoryOf } from '../support/catalog-database';
import { as, createEvent, createTicketType, hold, holdParams, inDays, organizer } from '../support/catalog-fixtures';

let node: CatalogNode;
let db: Knex;
let event: Event;

beforeAll(async () => {
  node = await startCatalogNode('catalog_inventory');
  db = node.db;
  event = await createEvent(node.broker);
});

afterAll(() => node?.stop());

/** Settling a hold: the actions ordering calls when an order is paid, cancelled or refunded. */
type Settlement = Extract<ActionsUnder<'catalog.inventory.'>, 'release' | 'confirm' | 'restock'>;
const settle = (action: Settlement, orderId: number) =>
  call(node.broker, `catalog.inventory.${action}`, { order_id: orderId });
const available = async (id: number) => (await call(node.broker, 'catalog.ticketTypes.get', { id })).available_quantity;
const holdsOf = (orderId: number) => db('holds').where('order_id', orderId).orderBy('ticket_type_id');

/** Asserts that a refused hold left no trace: no hold rows, and every counter as it was. */
async function expectNothingHeld(params: HoldParams, ticketTypes: TicketType[], refusal: object): Promise<void> {
  const before = await Promise.all(ticketTypes.map((t) => inventoryOf(db, t.id)));
  await expect(hold(node.broker, params)).rejects.toMatchObject(refusal);
  expect(await holdsOf(params.order_id)).toEqual([]);
  expect(await Promise.all(ticketTypes.map((t) => inventoryOf(db, t.id)))).toEqual(before);
}

describe('catalog.inventory.hold', () => {
  it('holds units at their current price, with the total summed exactly (3 × 19.99 = 59.97)', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { price: 19.99, quantity: 10 });
    const params = holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 3 }]);

    const result = await hold(node.broker, params);

    expect(result).toEqual({
      order_id: params.order_id,
      expires_at: params.expires_at,
      currency: 'USD',
      total_price: '59.97',
      discount: '0.00',
      promo_code: null,
      items: [{ ticket_type_id: ticketType.id, quantity: 3, unit_price: '19.99', discount: '0.00' }],
    });
    expect(await available(ticketType.id)).toBe(7);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ sold: 0, held: 3, heldByHolds: 3 });
  });

  it('holds several ticket types of one event together, totals in NUMERIC', async () => {
    const cheap = await createTicketType(node.broker, event.id, { price: 0.1 });
    const dear = await createTicketType(node.broker, event.id, { price: 0.2 });

    const result = await hold(
      node.broker,
      holdParams(event.id, [
        { ticket_type_id: dear.id, quantity: 1 },
        { ticket_type_id: cheap.id, quantity: 1 },
      ]),
    );

    // 0.1 + 0.2 in binary floating point is 0.30000000000000004.
    expect(result.total_price).toBe('0.30');
    expect(result.items.map((i) => [i.ticket_type_id, i.unit_price])).toEqual([
      [cheap.id, '0.10'],
      [dear.id, '0.20'],
    ]);
  });

  it('answers ZWG orders in ZWG', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { price: 1250.5, currency: 'ZWG' });
    await expect(
      hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 2 }])),
    ).resolves.toMatchObject({ currency: 'ZWG', total_price: '2501.00' });
  });

  it('takes the units of lapsed holds when it needs them, reclaiming those holds', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 5 });
    const lapsed = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 4 }]));
    await db('holds')
      .where('order_id', lapsed.order_id)
      .update({ expires_at: db.raw("now() - interval '1 second'") });

    const next = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 3 }]));

    expect(await holdsOf(lapsed.order_id)).toMatchObject([{ state: 'expired' }]);
    expect(await holdsOf(next.order_id)).toMatchObject([{ state: 'held', quantity: 3 }]);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 3, heldByHolds: 3 });
  });

  it('leaves lapsed holds to the sweep while there are units to spare', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 10 });
    const lapsed = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 4 }]));
    await db('holds')
      .where('order_id', lapsed.order_id)
      .update({ expires_at: db.raw("now() - interval '1 second'") });

    await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 3 }]));

    expect(await holdsOf(lapsed.order_id)).toMatchObject([{ state: 'held' }]);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 7 });
    expect(await available(ticketType.id)).toBe(7);
  });

  it('refuses more than is left (409 naming the ticket type) and holds nothing of the order', async () => {
    const plenty = await createTicketType(node.broker, event.id, { quantity: 100 });
    const scarce = await createTicketType(node.broker, event.id, { name: 'Front row', quantity: 2 });
    const params = holdParams(event.id, [
      { ticket_type_id: plenty.id, quantity: 5 },
      { ticket_type_id: scarce.id, quantity: 3 },
    ]);

    await expectNothingHeld(params, [plenty, scarce], {
      code: 409,
      type: 'conflict',
      message: '"Front row" is sold out: 2 left, 3 asked',
      data: { ticket_type_id: scarce.id, available: 2 },
    });
  });

  it('refuses a ticket type outside its sales window (409)', async () => {
    const early = await createTicketType(node.broker, event.id, { sales_start: inDays(2) });
    const late = await createTicketType(node.broker, event.id, { sales_start: inDays(-3), sales_end: inDays(-1) });

    await expectNothingHeld(holdParams(event.id, [{ ticket_type_id: early.id, quantity: 1 }]), [early], {
      code: 409,
      message: `"${early.name}" is not on sale yet`,
    });
    await expectNothingHeld(holdParams(event.id, [{ ticket_type_id: late.id, quantity: 1 }]), [late], {
      code: 409,
      message: `Sales of "${late.name}" have ended`,
    });
  });

  it('ends sales when the event starts, unless the ticket type says otherwise', async () => {
    const started = await createEvent(node.broker);
    const open = await createTicketType(node.broker, started.id);
    const extended = await createTicketType(node.broker, started.id, { sales_end: inDays(1) });
    await db('events')
      .where('id', started.id)
      .update({ date: new Date(Date.now() - 60_000) });

    await expectNothingHeld(holdParams(started.id, [{ ticket_type_id: open.id, quantity: 1 }]), [open], { code: 409 });
    await expect(
      hold(node.broker, holdParams(started.id, [{ ticket_type_id: extended.id, quantity: 1 }])),
    ).resolves.toMatchObject({
      items: [{ ticket_type_id: extended.id }],
    });
  });

  it('refuses more than max_per_order (422 naming the item)', async () => {
    const limited = await createTicketType(node.broker, event.id, { max_per_order: 4 });
    const params = holdParams(event.id, [{ ticket_type_id: limited.id, quantity: 5 }]);

    await expectNothingHeld(params, [limited], {
      code: 422,
      data: { errors: [{ field: 'items.0.quantity', message: 'must be at most 4' }] },
    });
    await expect(
      hold(node.broker, { ...params, items: [{ ticket_type_id: limited.id, quantity: 4 }] }),
    ).resolves.toBeDefined();
  });

  it('refuses a ticket type of another event, a ticket type twice, and mixed currencies (422)', async () => {
    const ours = await createTicketType(node.broker, event.id);
    const zwg = await createTicketType(node.broker, event.id, { currency: 'ZWG' });
    const otherEvent = await createEvent(node.broker);
    const theirs = await createTicketType(node.broker, otherEvent.id);

    await expectNothingHeld(
      holdParams(event.id, [
        { ticket_type_id: ours.id, quantity: 1 },
        { ticket_type_id: theirs.id, quantity: 1 },
      ]),
      [ours, theirs],
      { code: 422, data: { errors: [{ field: 'items.1.ticket_type_id', message: 'belongs to another event' }] } },
    );
    await expectNothingHeld(
      holdParams(event.id, [
        { ticket_type_id: ours.id, quantity: 1 },
        { ticket_type_id: ours.id, quantity: 2 },
      ]),
      [ours],
      { code: 422, data: { errors: [{ field: 'items.1.ticket_type_id', message: 'appears more than once' }] } },
    );
    await expectNothingHeld(
      holdParams(event.id, [
        { ticket_type_id: ours.id, quantity: 1 },
        { ticket_type_id: zwg.id, quantity: 1 },
      ]),
      [ours, zwg],
      { code: 422, data: { errors: [{ field: 'items', message: 'must all be priced in one currency' }] } },
    );
  });

  it('answers 404 for a missing or deleted ticket type, and for a missing or deleted event', async () => {
    const ours = await createTicketType(node.broker, event.id);
    const deleted = await createTicketType(node.broker, event.id);
    await call(node.broker, 'catalog.ticketTypes.delete', { id: deleted.id }, as(organizer));
    const goneEvent = await createEvent(node.broker);
    const ofGoneEvent = await createTicketType(node.broker, goneEvent.id);
    await call(node.broker, 'catalog.events.delete', { id: goneEvent.id }, as(organizer));

    for (const missing of [deleted.id, 2_000_000_000]) {
      await expectNothingHeld(
        holdParams(event.id, [
          { ticket_type_id: ours.id, quantity: 1 },
          { ticket_type_id: missing, quantity: 1 },
        ]),
        [ours],
        { code: 404, message: `Ticket type ${missing} not found` },
      );
    }
    await expectNothingHeld(holdParams(goneEvent.id, [{ ticket_type_id: ofGoneEvent.id, quantity: 1 }]), [], {
      code: 404,
    });
    await expectNothingHeld(holdParams(2_000_000_000, [{ ticket_type_id: ours.id, quantity: 1 }]), [ours], {
      code: 404,
    });
  });

  it('answers 422 for an expiry in the past', async () => {
    const ticketType = await createTicketType(node.broker, event.id);
    const params = holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }], { expiresInMs: -1000 });

    await expectNothingHeld(params, [ticketType], {
      code: 422,
      data: { errors: [{ field: 'expires_at', message: 'must be in the future' }] },
    });
  });

  it.each([
    ['no items', { items: [] }, 'items'],
    ['zero units', { items: [{ ticket_type_id: 1, quantity: 0 }] }, 'items.0.quantity'],
    ['a non-numeric order id', { order_id: 'abc' }, 'order_id'],
    ['a price from the caller', { total_price: '0.01' }, 'total_price'],
  ])('answers 422 for %s', async (_case, change, field) => {
    await expect(
      hold(node.broker, { ...holdParams(event.id, [{ ticket_type_id: 1, quantity: 1 }]), ...change } as HoldParams),
    ).rejects.toMatchObject({
      code: 422,
      data: expect.arrayContaining([expect.objectContaining({ field })]),
    });
  });

  it('answers a repeated hold of an order with the hold it has, holding nothing more', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 10 });
    const params = holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 4 }]);
    const first = await hold(node.broker, params);

    const again = await hold(node.broker, { ...params, expires_at: new Date(Date.now() + 3_600_000).toISOString() });

    expect(again).toEqual(first);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 4, heldByHolds: 4 });
  });

  it('refuses a repeated order id with other items, or whose hold is gone (409)', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 10 });
    const params = holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 2 }]);
    await hold(node.broker, params);

    await expect(
      hold(node.broker, { ...params, items: [{ ticket_type_id: ticketType.id, quantity: 3 }] }),
    ).rejects.toMatchObject({
      code: 409,
      message: `Order ${params.order_id} already holds other items`,
    });
    await settle('release', params.order_id);
    await expect(hold(node.broker, params)).rejects.toMatchObject({
      code: 409,
      message: `The hold of order ${params.order_id} was released`,
    });
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 0 });
  });
});

describe('release, confirm and restock', () => {
  async function heldOrder(quantity = 2) {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 10, price: 19.99 });
    const result = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity }]));
    return { ticketType, orderId: result.order_id };
  }

  it('release gives the units back, and answers the same when repeated', async () => {
    const { ticketType, orderId } = await heldOrder(3);

    await expect(settle('release', orderId)).resolves.toEqual({ order_id: orderId, units: 3 });
    await expect(settle('release', orderId)).resolves.toEqual({ order_id: orderId, units: 3 });

    expect(await available(ticketType.id)).toBe(10);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 0, sold: 0 });
    expect((await holdsOf(orderId)).map((h) => h.state)).toEqual(['released']);
  });

  it('release of an order that holds nothing changes nothing', async () => {
    await expect(settle('release', 1_999_999_999)).resolves.toEqual({ order_id: 1_999_999_999, units: 0 });
  });

  it('confirm turns held units into sold ones, once however often it is repeated', async () => {
    const { ticketType, orderId } = await heldOrder(2);

    await expect(settle('confirm', orderId)).resolves.toEqual({ order_id: orderId, units: 2 });
    await expect(settle('confirm', orderId)).resolves.toEqual({ order_id: orderId, units: 2 });

    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 0, sold: 2, soldByHolds: 2 });
    await expect(call(node.broker, 'catalog.ticketTypes.get', { id: ticketType.id })).resolves.toMatchObject({
      sold_quantity: 2,
      available_quantity: 8,
    });
  });

  it('confirm refuses a released or expired hold (409), so ordering refunds the payment', async () => {
    const released = await heldOrder();
    await settle('release', released.orderId);
    const ticketType = await createTicketType(node.broker, event.id);
    const expiring = await hold(
      node.broker,
      holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }], { expiresInMs: 300 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));

    await expect(settle('confirm', released.orderId)).rejects.toMatchObject({
      code: 409,
      message: expect.stringContaining('was released'),
    });
    await expect(settle('confirm', expiring.order_id)).rejects.toMatchObject({
      code: 409,
      message: expect.stringContaining('was expired'),
    });
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ sold: 0 });
  });

  it('confirm and restock answer 404 for an order that never held anything', async () => {
    await expect(settle('confirm', 1_999_999_998)).rejects.toMatchObject({ code: 404 });
    await expect(settle('restock', 1_999_999_998)).rejects.toMatchObject({ code: 404 });
  });

  it('release refuses a sold order (409): its units come back by restock only', async () => {
    const { ticketType, orderId } = await heldOrder(2);
    await settle('confirm', orderId);

    await expect(settle('release', orderId)).rejects.toMatchObject({ code: 409 });
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ sold: 2 });
  });

  it('restock puts sold units back on sale, once however often it is repeated', async () => {
    const { ticketType, orderId } = await heldOrder(2);
    await settle('confirm', orderId);

    await expect(settle('restock', orderId)).resolves.toEqual({ order_id: orderId, units: 2 });
    await expect(settle('restock', orderId)).resolves.toEqual({ order_id: orderId, units: 2 });

    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 0, sold: 0 });
    expect(await available(ticketType.id)).toBe(10);
    await expect(settle('confirm', orderId)).rejects.toMatchObject({
      code: 409,
      message: expect.stringContaining('was returned'),
    });
  });

  it('restock refuses an order that was never sold (409)', async () => {
    const { ticketType, orderId } = await heldOrder(2);

    await expect(settle('restock', orderId)).rejects.toMatchObject({ code: 409 });
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 2, sold: 0 });
  });

  it.each<Settlement>(['release', 'confirm', 'restock'])('%s takes an order id only', async (action) => {
    await expect(call(node.broker, `catalog.inventory.${action}`, malformed({ order_id: '1' }))).rejects.toMatchObject({
      code: 422,
    });
    await expect(
      call(node.broker, `catalog.inventory.${action}`, malformed({ order_id: 1, units: 5 })),
    ).rejects.toMatchObject({
      code: 422,
    });
  });
});
