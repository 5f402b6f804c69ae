import type { Knex } from 'knex';
import { call, type Event, type HoldParams, type TicketType } from '@ticketpro/shared';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { holdsOf, inventoryOf } from '../support/catalog-database';
import { createEvent, createTicketType, hold, holdParams } from '../support/catalog-fixtures';

let node: CatalogNode;
let db: Knex;
let event: Event;

beforeAll(async () => {
  node = await startCatalogNode('catalog_remove_unit');
  db = node.db;
  event = await createEvent(node.broker);
});

afterAll(() => node?.stop());

let lastRef = 0;
const removeUnit = (held: HoldParams, ticketTypeId: number, ref = `test:${++lastRef}`) =>
  call(node.broker, 'catalog.inventory.removeUnit', {
    order_id: held.order_id,
    ticket_type_id: ticketTypeId,
    ref,
  });

async function heldOrder(items: { ticketType: TicketType; quantity: number }[]): Promise<HoldParams> {
  const params = holdParams(
    items[0].ticketType.event_id,
    items.map(({ ticketType, quantity }) => ({ ticket_type_id: ticketType.id, quantity })),
  );
  await hold(node.broker, params);
  return params;
}

describe('catalog.inventory.removeUnit', () => {
  it("gives one unit of the order's hold back to stock, at the held price", async () => {
    const ticketType = await createTicketType(node.broker, event.id, { price: 19.99, quantity: 10 });
    const held = await heldOrder([{ ticketType, quantity: 3 }]);

    expect(await removeUnit(held, ticketType.id)).toEqual({ unit_price: '19.99', currency: 'USD', quantity: 2 });
    expect(await holdsOf(db, held.order_id)).toEqual([{ ticket_type_id: ticketType.id, quantity: 2, state: 'held' }]);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 2, heldByHolds: 2, sold: 0 });
  });

  it("drops a type's hold row at no units, and the order still sells what is left", async () => {
    const kept = await createTicketType(node.broker, event.id, { quantity: 10 });
    const dropped = await createTicketType(node.broker, event.id, { price: 5, quantity: 10 });
    const held = await heldOrder([
      { ticketType: kept, quantity: 1 },
      { ticketType: dropped, quantity: 1 },
    ]);

    expect(await removeUnit(held, dropped.id)).toEqual({ unit_price: '5.00', currency: 'USD', quantity: 0 });
    expect(await holdsOf(db, held.order_id)).toEqual([{ ticket_type_id: kept.id, quantity: 1, state: 'held' }]);
    expect(await inventoryOf(db, dropped.id)).toMatchObject({ held: 0, heldByHolds: 0 });

    await call(node.broker, 'catalog.inventory.confirm', { order_id: held.order_id });
    expect(await inventoryOf(db, kept.id)).toMatchObject({ held: 0, sold: 1 });
    expect(await inventoryOf(db, dropped.id)).toMatchObject({ held: 0, sold: 0 });
  });

  it('gives back nothing twice for a repeated ref, and refuses the ref for another unit (409)', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 10 });
    const other = await createTicketType(node.broker, event.id, { quantity: 10 });
    const held = await heldOrder([
      { ticketType, quantity: 3 },
      { ticketType: other, quantity: 2 },
    ]);

    const [a, b] = await Promise.all([
      removeUnit(held, ticketType.id, 'ticket-removed:r1'),
      removeUnit(held, ticketType.id, 'ticket-removed:r1'),
    ]);
    expect(a).toEqual({ unit_price: '19.99', currency: 'USD', quantity: 2 });
    expect(b).toEqual(a);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 2, heldByHolds: 2 });
    await expect(removeUnit(held, other.id, 'ticket-removed:r1')).rejects.toMatchObject({ code: 409 });
    expect(await inventoryOf(db, other.id)).toMatchObject({ held: 2, heldByHolds: 2 });
  });

  it('makes the unit available to another order at once', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 2 });
    const held = await heldOrder([{ ticketType, quantity: 2 }]);
    const latecomer = holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }]);
    await expect(hold(node.broker, latecomer)).rejects.toMatchObject({ code: 409 });

    await removeUnit(held, ticketType.id);

    await hold(node.broker, latecomer);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 2, heldByHolds: 2 });
  });

  it("refuses the order's last unit, a type it does not hold, and a hold that is not live (409)", async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 20 });
    const unheld = await createTicketType(node.broker, event.id, { quantity: 20 });
    const single = await heldOrder([{ ticketType, quantity: 1 }]);
    const pair = await heldOrder([{ ticketType, quantity: 2 }]);
    const expired = await heldOrder([{ ticketType, quantity: 2 }]);
    await db('holds')
      .where('order_id', expired.order_id)
      .update({ expires_at: db.raw("now() - interval '1 second'") });
    const released = await heldOrder([{ ticketType, quantity: 2 }]);
    await call(node.broker, 'catalog.inventory.release', { order_id: released.order_id });
    const sold = await heldOrder([{ ticketType, quantity: 2 }]);
    await call(node.broker, 'catalog.inventory.confirm', { order_id: sold.order_id });
    const never = holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }]);
    const before = await inventoryOf(db, ticketType.id);

    await expect(removeUnit(single, ticketType.id)).rejects.toMatchObject({ code: 409 });
    await expect(removeUnit(pair, unheld.id)).rejects.toMatchObject({ code: 409 });
    for (const order of [expired, released, sold, never]) {
      await expect(removeUnit(order, ticketType.id)).rejects.toMatchObject({ code: 409 });
    }
    expect(await inventoryOf(db, ticketType.id)).toEqual(before);
    expect(await holdsOf(db, single.order_id)).toEqual([{ ticket_type_id: ticketType.id, quantity: 1, state: 'held' }]);
  });
});
