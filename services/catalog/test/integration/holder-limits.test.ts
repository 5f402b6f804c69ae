import type { Knex } from 'knex';
import { call, type Event, type Holder, type HoldParams, type TicketType } from '@ticketpro/shared';
import { malformed } from '@ticketpro/shared/testing';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { inventoryOf } from '../support/catalog-database';
import { createEvent, createTicketType, hold, holdParams, newHolder } from '../support/catalog-fixtures';

/** What one user may hold unpaid (OWASP API6): pending orders, and units of one event across them. */
const MAX_ORDERS = 3;
const MAX_UNITS = 10;

let node: CatalogNode;
let db: Knex;
let event: Event;
let ticketType: TicketType;

beforeAll(async () => {
  node = await startCatalogNode('catalog_holder_limits', {
    MAX_PENDING_ORDERS_PER_USER: MAX_ORDERS,
    MAX_PENDING_UNITS_PER_EVENT: MAX_UNITS,
  });
  db = node.db;
  event = await createEvent(node.broker);
  ticketType = await createTicketType(node.broker, event.id, { quantity: 1000 });
});

afterAll(() => node?.stop());

const holdFor = (
  holder: Holder,
  quantity: number,
  options: { expiresInMs?: number; typeId?: number; eventId?: number } = {},
) => {
  const params = holdParams(
    options.eventId ?? event.id,
    [{ ticket_type_id: options.typeId ?? ticketType.id, quantity }],
    {
      holder,
      expiresInMs: options.expiresInMs,
    },
  );
  return hold(node.broker, params).then(() => params);
};
const addUnit = (held: HoldParams, holder = held.holder) =>
  call(node.broker, 'catalog.inventory.addUnit', {
    order_id: held.order_id,
    ticket_type_id: held.items[0].ticket_type_id,
    holder,
    ref: `limits:${held.order_id}:${Math.random()}`,
    expires_at: held.expires_at,
  });

function outcomes(settled: PromiseSettledResult<unknown>[]) {
  return {
    passed: settled.filter((s) => s.status === 'fulfilled').length,
    refused: settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason),
  };
}

describe('what one user may hold unpaid', () => {
  it(`refuses a user's ${MAX_ORDERS + 1}th live order (409) and holds nothing for it; other users are not affected`, async () => {
    const holder = newHolder();
    for (let i = 0; i < MAX_ORDERS; i++) await holdFor(holder, 1);
    const before = await inventoryOf(db, ticketType.id);

    await expect(holdFor(holder, 1)).rejects.toMatchObject({
      code: 409,
      type: 'conflict',
      message: `You already have ${MAX_ORDERS} unpaid orders, the most one account may have: pay or cancel one first`,
      data: { limit: MAX_ORDERS, pending_orders: MAX_ORDERS },
    });

    expect(await inventoryOf(db, ticketType.id)).toEqual(before);
    await expect(holdFor(newHolder(), 1)).resolves.toBeDefined();
  });

  it('counts only live holds: a released, a sold and a lapsed order each free their place', async () => {
    const holder = newHolder();
    const released = await holdFor(holder, 1);
    const sold = await holdFor(holder, 1);
    await holdFor(holder, 1, { expiresInMs: 1000 });
    await expect(holdFor(holder, 1)).rejects.toMatchObject({ code: 409 });

    await call(node.broker, 'catalog.inventory.release', { order_id: released.order_id });
    await call(node.broker, 'catalog.inventory.confirm', { order_id: sold.order_id });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    for (let i = 0; i < MAX_ORDERS; i++) await holdFor(holder, 1);
    await expect(holdFor(holder, 1)).rejects.toMatchObject({ code: 409 });
  });

  it(`limits a user's unpaid units of one event to ${MAX_UNITS} across orders and ticket types; other events are apart`, async () => {
    const holder = newHolder();
    const otherType = await createTicketType(node.broker, event.id, { quantity: 100, price: 5 });
    await holdFor(holder, 6);
    await holdFor(holder, 3, { typeId: otherType.id });

    await expect(holdFor(holder, 2)).rejects.toMatchObject({
      code: 409,
      message: `You already hold 9 unpaid units of this event and one account may hold at most ${MAX_UNITS}: 2 more cannot be held until you pay or cancel an order`,
      data: { limit: MAX_UNITS, held: 9, asked: 2 },
    });

    const elsewhere = await createEvent(node.broker);
    const elsewhereType = await createTicketType(node.broker, elsewhere.id, { quantity: 100 });
    await expect(
      holdFor(holder, MAX_UNITS, { eventId: elsewhere.id, typeId: elsewhereType.id }),
    ).resolves.toBeDefined();
  });

  it(`answers 422 for one order of more than ${MAX_UNITS} units, which no account may hold`, async () => {
    await expect(holdFor(newHolder(), MAX_UNITS + 1)).rejects.toMatchObject({
      code: 422,
      type: 'validation-error',
      data: { errors: [{ field: 'items', message: `must add up to at most ${MAX_UNITS} units` }] },
    });
  });

  it('counts a unit added to an order, as a hold does', async () => {
    const holder = newHolder();
    const held = await holdFor(holder, MAX_UNITS - 1);
    await expect(addUnit(held)).resolves.toMatchObject({ quantity: MAX_UNITS });

    await expect(addUnit(held)).rejects.toMatchObject({
      code: 409,
      data: { limit: MAX_UNITS, held: MAX_UNITS, asked: 1 },
    });
    expect((await inventoryOf(db, ticketType.id)).held).toBe((await inventoryOf(db, ticketType.id)).heldByHolds);
  });

  it('exempts admins: their holds are not limited', async () => {
    const admin: Holder = { ...newHolder(), exempt: true };
    for (let i = 0; i < MAX_ORDERS + 2; i++) await holdFor(admin, MAX_UNITS);
    await expect(holdFor(admin, MAX_UNITS + 5)).resolves.toBeDefined();
  });

  it('lets only as many of one user’s simultaneous holds through as the limits have room for', async () => {
    const byOrders = newHolder();
    await holdFor(byOrders, 1);
    const orderRace = outcomes(await Promise.allSettled(Array.from({ length: 8 }, () => holdFor(byOrders, 1))));
    expect(orderRace.passed).toBe(MAX_ORDERS - 1);
    expect(orderRace.refused.every((err) => err.code === 409)).toBe(true);

    const byUnits = newHolder();
    const unitRace = outcomes(
      await Promise.allSettled(Array.from({ length: 6 }, () => holdFor(byUnits, 4, { typeId: ticketType.id }))),
    );
    expect(unitRace.passed).toBe(Math.floor(MAX_UNITS / 4));
    expect(unitRace.refused.every((err) => err.code === 409)).toBe(true);

    const live = await db('holds')
      .whereIn('user_id', [byOrders.user_id, byUnits.user_id])
      .where('state', 'held')
      .groupBy('user_id')
      .select('user_id', db.raw('count(*)::int AS orders'), db.raw('sum(quantity)::int AS units'));
    expect(live).toEqual(
      expect.arrayContaining([
        { user_id: byOrders.user_id, orders: MAX_ORDERS, units: MAX_ORDERS },
        { user_id: byUnits.user_id, orders: 2, units: 8 },
      ]),
    );
    const inventory = await inventoryOf(db, ticketType.id);
    expect(inventory.held).toBe(inventory.heldByHolds);
  });

  it('refuses a hold without its holder or with an unknown field in it (422)', async () => {
    const { holder: _holder, ...withoutHolder } = holdParams(event.id, [
      { ticket_type_id: ticketType.id, quantity: 1 },
    ]);
    await expect(call(node.broker, 'catalog.inventory.hold', malformed(withoutHolder))).rejects.toMatchObject({
      code: 422,
    });
    const sneaky = holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }]);
    await expect(
      call(node.broker, 'catalog.inventory.hold', malformed({ ...sneaky, holder: { ...sneaky.holder, limit: 1000 } })),
    ).rejects.toMatchObject({ code: 422 });
  });
});
