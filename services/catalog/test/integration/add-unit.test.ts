import type { Knex } from 'knex';
import { call, type Event, type HoldParams, type TicketType } from '@ticketpro/shared';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { holdsOf, inventoryOf } from '../support/catalog-database';
import { createEvent, createTicketType, hold, holdParams } from '../support/catalog-fixtures';

let node: CatalogNode;
let db: Knex;
let event: Event;

beforeAll(async () => {
  node = await startCatalogNode('catalog_add_unit');
  db = node.db;
  event = await createEvent(node.broker);
});

afterAll(() => node?.stop());

let lastRef = 0;
const addUnit = (held: HoldParams, ticketTypeId: number, ref = `test:${++lastRef}`) =>
  call(node.broker, 'catalog.inventory.addUnit', {
    order_id: held.order_id,
    ticket_type_id: ticketTypeId,
    holder: held.holder,
    ref,
    expires_at: held.expires_at,
  });

async function heldOrder(ticketType: TicketType, quantity = 1): Promise<HoldParams> {
  const params = holdParams(ticketType.event_id, [{ ticket_type_id: ticketType.id, quantity }]);
  await hold(node.broker, params);
  return params;
}

describe('catalog.inventory.addUnit', () => {
  it("adds one unit to the order's hold of that type, at the held price", async () => {
    const ticketType = await createTicketType(node.broker, event.id, { price: 19.99, quantity: 10 });
    const held = await heldOrder(ticketType, 2);

    expect(await addUnit(held, ticketType.id)).toEqual({ unit_price: '19.99', currency: 'USD', quantity: 3 });
    expect(await holdsOf(db, held.order_id)).toEqual([{ ticket_type_id: ticketType.id, quantity: 3, state: 'held' }]);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 3, heldByHolds: 3, sold: 0 });
  });

  it('holds a new ticket type of the same event in a hold row of its own', async () => {
    const first = await createTicketType(node.broker, event.id, { price: 19.99 });
    const second = await createTicketType(node.broker, event.id, { price: 5 });
    const held = await heldOrder(first);

    expect(await addUnit(held, second.id)).toEqual({ unit_price: '5.00', currency: 'USD', quantity: 1 });
    expect(await holdsOf(db, held.order_id)).toEqual([
      { ticket_type_id: first.id, quantity: 1, state: 'held' },
      { ticket_type_id: second.id, quantity: 1, state: 'held' },
    ]);
    expect(await inventoryOf(db, second.id)).toMatchObject({ held: 1, heldByHolds: 1 });
  });

  it('adds nothing twice for a repeated ref, and refuses the ref for another unit (409)', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 10 });
    const other = await createTicketType(node.broker, event.id, { quantity: 10 });
    const held = await heldOrder(ticketType);

    const [a, b] = await Promise.all([
      addUnit(held, ticketType.id, 'ticket:r1'),
      addUnit(held, ticketType.id, 'ticket:r1'),
    ]);
    expect(a).toEqual({ unit_price: '19.99', currency: 'USD', quantity: 2 });
    expect(b).toEqual(a);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 2, heldByHolds: 2 });
    await expect(addUnit(held, other.id, 'ticket:r1')).rejects.toMatchObject({ code: 409 });
    expect(await inventoryOf(db, other.id)).toMatchObject({ held: 0, heldByHolds: 0 });
  });

  it('refuses a sold-out ticket type (409) and changes nothing', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 2 });
    const held = await heldOrder(ticketType, 2);

    await expect(addUnit(held, ticketType.id)).rejects.toMatchObject({ code: 409, type: 'conflict' });
    expect(await holdsOf(db, held.order_id)).toEqual([{ ticket_type_id: ticketType.id, quantity: 2, state: 'held' }]);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 2, heldByHolds: 2 });
  });

  it('lets two orders race for the last unit: exactly one gets it', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 3 });
    const [one, two] = [await heldOrder(ticketType), await heldOrder(ticketType)];

    const outcomes = await Promise.allSettled([addUnit(one, ticketType.id), addUnit(two, ticketType.id)]);

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused.map((o) => o.reason.code)).toEqual([409]);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 3, heldByHolds: 3 });
  });

  it('keeps max_per_order across the whole order (422)', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { max_per_order: 2 });
    const held = await heldOrder(ticketType, 2);

    await expect(addUnit(held, ticketType.id)).rejects.toMatchObject({ code: 422 });
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 2, heldByHolds: 2 });
  });

  it('refuses an order whose hold is expired, released or sold, or that holds nothing (409)', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 20 });
    const expired = await heldOrder(ticketType);
    await db('holds')
      .where('order_id', expired.order_id)
      .update({ expires_at: db.raw("now() - interval '1 second'") });
    const released = await heldOrder(ticketType);
    await call(node.broker, 'catalog.inventory.release', { order_id: released.order_id });
    const sold = await heldOrder(ticketType);
    await call(node.broker, 'catalog.inventory.confirm', { order_id: sold.order_id });
    const never = holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }]);
    const before = await inventoryOf(db, ticketType.id);

    for (const order of [expired, released, sold, never]) {
      await expect(addUnit(order, ticketType.id)).rejects.toMatchObject({ code: 409 });
    }
    expect(await inventoryOf(db, ticketType.id)).toEqual(before);
  });

  it('refuses a ticket type of another event or another currency (422)', async () => {
    const otherEvent = await createEvent(node.broker);
    const ticketType = await createTicketType(node.broker, event.id);
    const elsewhere = await createTicketType(node.broker, otherEvent.id);
    const inZwg = await createTicketType(node.broker, event.id, { currency: 'ZWG' });
    const held = await heldOrder(ticketType);

    await expect(addUnit(held, elsewhere.id)).rejects.toMatchObject({ code: 422 });
    await expect(addUnit(held, inZwg.id)).rejects.toMatchObject({ code: 422 });
    expect(await inventoryOf(db, elsewhere.id)).toMatchObject({ held: 0 });
    expect(await inventoryOf(db, inZwg.id)).toMatchObject({ held: 0 });
    expect(await holdsOf(db, held.order_id)).toHaveLength(1);
  });
});
