import { call, type Event, type TicketType } from '@ticketpro/shared';
import { orderingNodeForFile } from '../support/ordering-node';
import {
  admin,
  as,
  buyer,
  createEvent,
  createTicketType,
  inventory,
  orderBody,
  otherBuyer,
  payOrder,
  placeOrder,
} from '../support/ordering-fixtures';

/** What one user may hold unpaid, as buyers meet it when they order: catalog counts, ordering says whose. */
const MAX_ORDERS = 2;
const MAX_UNITS = 5;

const node = orderingNodeForFile({
  ORDER_HOLD_SECONDS: 600,
  MAX_PENDING_ORDERS_PER_USER: MAX_ORDERS,
  MAX_PENDING_UNITS_PER_EVENT: MAX_UNITS,
});
let event: Event;
let ticketType: TicketType;

beforeAll(async () => {
  event = await createEvent(node);
  ticketType = await createTicketType(node, event.id, { quantity: 1000 });
});

let lastRef = 0;
const addUnit = (caller: typeof buyer, id: number) =>
  call(
    node.broker,
    'ordering.orders.addUnit',
    { id, ticket_type_id: ticketType.id, ref: `limits:${++lastRef}` },
    as(caller),
  );
const order = (caller: typeof buyer, quantity = 1) =>
  placeOrder(node, caller, orderBody(event.id, ticketType.id, quantity));
const ordersOf = async (userId: number) =>
  (await node.orderingDb('orders').where('user_id', userId).select('payment_status')).map((o) => o.payment_status);

describe('ordering.orders.create within what one user may hold unpaid', () => {
  it(`refuses a buyer's order beyond ${MAX_ORDERS} unpaid ones (409), writes and holds nothing; paying one makes room`, async () => {
    const first = await order(buyer);
    await order(buyer);
    const before = await inventory(node, ticketType.id);

    await expect(order(buyer)).rejects.toMatchObject({ code: 409, message: expect.stringContaining('unpaid orders') });

    expect(await inventory(node, ticketType.id)).toEqual(before);
    expect(await ordersOf(buyer.id)).toEqual(['pending', 'pending']);
    await payOrder(node, buyer, first.id);
    await expect(order(buyer)).resolves.toMatchObject({ payment_status: 'pending' });
  });

  it('counts a unit added to a pending order; an admin adding it for the buyer is exempt', async () => {
    const pending = await order(otherBuyer, MAX_UNITS);

    await expect(addUnit(otherBuyer, pending.id)).rejects.toMatchObject({ code: 409, data: { limit: MAX_UNITS } });
    await expect(addUnit(admin, pending.id)).resolves.toMatchObject({
      order: { items: [{ quantity: MAX_UNITS + 1 }] },
    });
  });

  it('exempts admins ordering for themselves', async () => {
    for (let i = 0; i < MAX_ORDERS + 1; i++) await expect(order(admin, MAX_UNITS + 1)).resolves.toBeDefined();
  });

  it('lets exactly one of two orders placed at once through when one place is left', async () => {
    const racer = { id: 4101, role: 'user' as const };
    await order(racer);

    const settled = await Promise.allSettled([order(racer), order(racer)]);

    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    expect(settled.find((s) => s.status === 'rejected')).toMatchObject({ reason: { code: 409 } });
    expect(await ordersOf(racer.id)).toEqual(['pending', 'pending']);
  });
});
