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
const addUnit = (caller: typeof buyer, id: number, ticketTypeId: number, ref = `test:${++lastRef}`) =>
  call(node.broker, 'ordering.orders.addUnit', { id, ticket_type_id: ticketTypeId, ref }, as(caller));

async function pendingOrder(quantity = 1, ticketTypeQuantity = 10) {
  const ticketType = await createTicketType(node, event.id, { price: 19.99, quantity: ticketTypeQuantity });
  const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, quantity));
  return { ticketType, order };
}

describe('ordering.orders.addUnit', () => {
  it('raises the item and the total by exactly one price (19.99 + 19.99 = 39.98)', async () => {
    const { ticketType, order } = await pendingOrder();

    const added = await addUnit(buyer, order.id, ticketType.id);

    expect(added.unit).toBe(2);
    expect(added.order).toMatchObject({
      id: order.id,
      user_id: buyer.id,
      event_id: event.id,
      payment_status: 'pending',
      total_price: 39.98,
      items: [{ ticket_type_id: ticketType.id, quantity: 2, unit_price: 19.99 }],
    });
    expect(await getOrder(node, buyer, order.id)).toMatchObject({ total_price: 39.98 });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 0 });
  });

  it('adds a new item for another ticket type of the event, and lets an admin add', async () => {
    const { ticketType, order } = await pendingOrder();
    const cheaper = await createTicketType(node, event.id, { price: 0.01 });

    const added = await addUnit(admin, order.id, cheaper.id);

    expect(added.unit).toBe(1);
    expect(added.order.total_price).toBe(20);
    expect(added.order.items).toEqual([
      { ticket_type_id: ticketType.id, quantity: 1, unit_price: 19.99, discount: 0 },
      { ticket_type_id: cheaper.id, quantity: 1, unit_price: 0.01, discount: 0 },
    ]);
  });

  it('adds nothing twice for a repeated ref, even when both calls arrive at once', async () => {
    const { ticketType, order } = await pendingOrder();

    const [a, b] = await Promise.all([
      addUnit(buyer, order.id, ticketType.id, 'ticket:1'),
      addUnit(buyer, order.id, ticketType.id, 'ticket:1'),
    ]);
    const again = await addUnit(buyer, order.id, ticketType.id, 'ticket:1');

    expect([a.unit, b.unit, again.unit]).toEqual([2, 2, 2]);
    expect(await getOrder(node, buyer, order.id)).toMatchObject({
      total_price: 39.98,
      items: [{ ticket_type_id: ticketType.id, quantity: 2, unit_price: 19.99 }],
    });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 0 });
  });

  it('numbers units added at the same moment one after another, each priced once', async () => {
    const { ticketType, order } = await pendingOrder();

    const added = await Promise.all([1, 2, 3].map(() => addUnit(buyer, order.id, ticketType.id)));

    expect(added.map((a) => a.unit).sort()).toEqual([2, 3, 4]);
    expect(await getOrder(node, buyer, order.id)).toMatchObject({
      total_price: 79.96,
      items: [{ ticket_type_id: ticketType.id, quantity: 4, unit_price: 19.99 }],
    });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 6, sold: 0 });
  });

  it("answers 404 for another user's order and changes nothing", async () => {
    const { ticketType, order } = await pendingOrder();

    await expect(addUnit(otherBuyer, order.id, ticketType.id)).rejects.toMatchObject({ code: 404 });
    expect(await getOrder(node, buyer, order.id)).toMatchObject({ total_price: 19.99 });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 0 });
  });

  it('refuses a sold-out ticket type (409) and leaves the order as it was', async () => {
    const { ticketType, order } = await pendingOrder(2, 2);

    await expect(addUnit(buyer, order.id, ticketType.id)).rejects.toMatchObject({ code: 409 });
    expect(await getOrder(node, buyer, order.id)).toMatchObject({
      total_price: 39.98,
      items: [{ ticket_type_id: ticketType.id, quantity: 2, unit_price: 19.99 }],
    });
  });

  it('refuses an expired, a paid and a cancelled order (409; cancelled ones are gone: 404)', async () => {
    const expired = await pendingOrder();
    await node
      .orderingDb('orders')
      .where('id', expired.order.id)
      .update({ expires_at: node.orderingDb.raw("now() - interval '1 second'") });
    const paid = await pendingOrder();
    await payOrder(node, buyer, paid.order.id);
    const cancelled = await pendingOrder();
    await call(node.broker, 'ordering.orders.cancel', { id: cancelled.order.id }, as(buyer));

    await expect(addUnit(buyer, expired.order.id, expired.ticketType.id)).rejects.toMatchObject({ code: 409 });
    await expect(addUnit(buyer, paid.order.id, paid.ticketType.id)).rejects.toMatchObject({ code: 409 });
    await expect(addUnit(buyer, cancelled.order.id, cancelled.ticketType.id)).rejects.toMatchObject({ code: 404 });
    expect(await inventory(node, expired.ticketType.id)).toEqual({ available: 9, sold: 0 });
    expect(await inventory(node, paid.ticketType.id)).toEqual({ available: 9, sold: 1 });
  });

  it('sells the added unit with the order, and order.paid carries the raised quantity', async () => {
    const { ticketType, order } = await pendingOrder();
    await addUnit(buyer, order.id, ticketType.id);

    expect(await payOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'completed', total_price: 39.98 });

    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
    const paid = await node
      .orderingDb('outbox')
      .where('name', 'ordering.order.paid')
      .whereRaw("(envelope->'data'->>'id')::int = ?", [order.id])
      .first('envelope');
    expect(paid.envelope.data.items).toEqual([expect.objectContaining({ ticket_type_id: ticketType.id, quantity: 2 })]);
  });
});
