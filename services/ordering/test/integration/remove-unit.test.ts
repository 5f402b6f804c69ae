import { call, type Event } from '@ticketpro/shared';
import { orderingNodeForFile } from '../support/ordering-node';
import {
  admin,
  as,
  buyer,
  createEvent,
  createTicketType,
  getOrder,
  inventory,
  orderBody,
  otherBuyer,
  payOrder,
  placeOrder,
} from '../support/ordering-fixtures';

const node = orderingNodeForFile({ ORDER_HOLD_SECONDS: 600 });
let event: Event;

beforeAll(async () => {
  event = await createEvent(node);
});

let lastRef = 0;
/** One unit of a ticket type on an order, under a `ref` of its own unless the test repeats one. */
const unitParams = (id: number, ticketTypeId: number, ref = `test:${++lastRef}`) => ({
  id,
  ticket_type_id: ticketTypeId,
  ref,
});
const addUnit = (caller: typeof buyer, ...unit: Parameters<typeof unitParams>) =>
  call(node.broker, 'ordering.orders.addUnit', unitParams(...unit), as(caller));
const removeUnit = (caller: typeof buyer, ...unit: Parameters<typeof unitParams>) =>
  call(node.broker, 'ordering.orders.removeUnit', unitParams(...unit), as(caller));

async function pendingOrder(quantity = 2, price = 19.99) {
  const ticketType = await createTicketType(node, event.id, { price, quantity: 10 });
  const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, quantity));
  return { ticketType, order };
}

describe('ordering.orders.removeUnit', () => {
  it('lowers the item and the total by exactly one price, and the unit is on sale again', async () => {
    const { ticketType, order } = await pendingOrder(3, 0.1);

    const { order: lowered } = await removeUnit(buyer, order.id, ticketType.id);

    expect(lowered).toMatchObject({
      id: order.id,
      payment_status: 'pending',
      total_price: 0.2,
      items: [{ ticket_type_id: ticketType.id, quantity: 2, unit_price: 0.1 }],
    });
    expect(await getOrder(node, buyer, order.id)).toMatchObject({ total_price: 0.2 });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 0 });
  });

  it('drops an item at no units, lets an admin remove, and sells only what is left', async () => {
    const { ticketType, order } = await pendingOrder(1);
    const cheaper = await createTicketType(node, event.id, { price: 0.01, quantity: 10 });
    await addUnit(buyer, order.id, cheaper.id);

    const { order: lowered } = await removeUnit(admin, order.id, cheaper.id);

    expect(lowered.total_price).toBe(19.99);
    expect(lowered.items).toEqual([{ ticket_type_id: ticketType.id, quantity: 1, unit_price: 19.99, discount: 0 }]);
    expect(await payOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'completed', total_price: 19.99 });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 1 });
    expect(await inventory(node, cheaper.id)).toEqual({ available: 10, sold: 0 });
  });

  it('removes nothing twice for a repeated ref, even when both calls arrive at once', async () => {
    const { ticketType, order } = await pendingOrder(3);

    const [a, b] = await Promise.all([
      removeUnit(buyer, order.id, ticketType.id, 'ticket-removed:1'),
      removeUnit(buyer, order.id, ticketType.id, 'ticket-removed:1'),
    ]);
    const again = await removeUnit(buyer, order.id, ticketType.id, 'ticket-removed:1');

    for (const answer of [a, b, again]) expect(answer.order).toMatchObject({ total_price: 39.98 });
    expect(await getOrder(node, buyer, order.id)).toMatchObject({
      total_price: 39.98,
      items: [{ ticket_type_id: ticketType.id, quantity: 2, unit_price: 19.99 }],
    });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 0 });
  });

  it('numbers a unit added after a removal past every unit given out before', async () => {
    const { ticketType, order } = await pendingOrder(1);
    expect((await addUnit(buyer, order.id, ticketType.id)).unit).toBe(2);
    await removeUnit(buyer, order.id, ticketType.id);

    const added = await addUnit(buyer, order.id, ticketType.id);

    expect(added.unit).toBe(3);
    expect(added.order).toMatchObject({ total_price: 39.98, items: [expect.objectContaining({ quantity: 2 })] });
  });

  it("refuses the order's last unit (409: cancel the order instead) and a type it does not hold", async () => {
    const { ticketType, order } = await pendingOrder(1);
    const other = await createTicketType(node, event.id);

    await expect(removeUnit(buyer, order.id, ticketType.id)).rejects.toMatchObject({
      code: 409,
      message: expect.stringContaining('cancel the order instead'),
    });
    await expect(removeUnit(buyer, order.id, other.id)).rejects.toMatchObject({ code: 409 });
    expect(await getOrder(node, buyer, order.id)).toMatchObject({ total_price: 19.99 });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 0 });
  });

  it("answers 404 for another user's order and refuses an expired or paid one (409)", async () => {
    const theirs = await pendingOrder();
    const expired = await pendingOrder();
    await node
      .orderingDb('orders')
      .where('id', expired.order.id)
      .update({ expires_at: node.orderingDb.raw("now() - interval '1 second'") });
    const paid = await pendingOrder();
    await payOrder(node, buyer, paid.order.id);

    await expect(removeUnit(otherBuyer, theirs.order.id, theirs.ticketType.id)).rejects.toMatchObject({ code: 404 });
    await expect(removeUnit(buyer, expired.order.id, expired.ticketType.id)).rejects.toMatchObject({ code: 409 });
    await expect(removeUnit(buyer, paid.order.id, paid.ticketType.id)).rejects.toMatchObject({ code: 409 });
    expect(await getOrder(node, buyer, theirs.order.id)).toMatchObject({ total_price: 39.98 });
    expect(await inventory(node, theirs.ticketType.id)).toEqual({ available: 8, sold: 0 });
    expect(await inventory(node, paid.ticketType.id)).toEqual({ available: 8, sold: 2 });
  });
});
