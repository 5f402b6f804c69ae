import { call, type Event, type PromoCode } from '@ticketpro/shared';
import { orderingNodeForFile } from '../support/ordering-node';
import {
  as,
  buyer,
  createEvent,
  createTicketType,
  inventory,
  issuedTickets,
  orderBody,
  organizer,
  otherBuyer,
  payOrder,
  placeOrder,
} from '../support/ordering-fixtures';

const node = orderingNodeForFile({ ORDER_HOLD_SECONDS: 600 });
let event: Event;

beforeAll(async () => {
  event = await createEvent(node);
});

let codes = 0;
async function newCode(fields: object): Promise<PromoCode> {
  const code = `ORD${++codes}x${Math.floor(Math.random() * 1e6)}`;
  return call(node.broker, 'catalog.promoCodes.create', { id: event.id, code, ...fields }, as(organizer));
}
const uses = async (code: PromoCode) =>
  (await call(node.broker, 'catalog.promoCodes.get', { id: event.id, code_id: code.id }, as(organizer))).uses;

describe('orders with a promo code', () => {
  it('prices the order with the discount per item and in all, and keeps it through payment', async () => {
    const ticketType = await createTicketType(node, event.id, { price: 12.5, quantity: 10 });
    const code = await newCode({ percent_off: 15, max_uses: 5 });
    const order = await placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id, 3), promo_code: code.code });
    // 3 × 12.50 = 37.50; 15% = 5.625 → 5.62 (half to even).
    expect(order).toMatchObject({
      total_price: 31.88,
      discount: 5.62,
      promo_code: code.code,
      items: [{ ticket_type_id: ticketType.id, quantity: 3, unit_price: 12.5, discount: 5.62 }],
    });
    const paid = await payOrder(node, buyer, order.id);
    expect(paid).toMatchObject({ payment_status: 'completed', total_price: 31.88, discount: 5.62 });
    const payment = await node.orderingDb('payments').where({ order_id: order.id, kind: 'payment' }).first('amount');
    expect(payment.amount).toBe('31.88');
    expect(await uses(code)).toBe(1);
  });

  it('refuses an unknown or used-up code with 422 naming it, holding nothing', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const code = await newCode({ amount_off: 1, max_uses: 1 });
    await placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id), promo_code: code.code });
    await expect(
      placeOrder(node, otherBuyer, { ...orderBody(event.id, ticketType.id), promo_code: code.code }),
    ).rejects.toMatchObject({ code: 422, message: `Promo code "${code.code}" is used up` });
    await expect(
      placeOrder(node, otherBuyer, { ...orderBody(event.id, ticketType.id), promo_code: 'NOSUCHCODE' }),
    ).rejects.toMatchObject({ code: 422, message: 'Promo code "NOSUCHCODE" is not a code of this event' });
    expect(await inventory(node, ticketType.id)).toMatchObject({ available: 9 });
  });

  it('gives the use back when the order is cancelled', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const code = await newCode({ percent_off: 50, max_uses: 1 });
    const order = await placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id), promo_code: code.code });
    expect(await uses(code)).toBe(1);
    await call(node.broker, 'ordering.orders.cancel', { id: order.id }, as(buyer));
    expect(await uses(code)).toBe(0);
    // 50% of 19.99 is 9.995: the tie goes to the even cent, 10.00.
    await expect(
      placeOrder(node, otherBuyer, { ...orderBody(event.id, ticketType.id), promo_code: code.code }),
    ).resolves.toMatchObject({ discount: 10, total_price: 9.99 });
  });

  it('refunds an order with a code whole (the amount paid), never ticket by ticket (409)', async () => {
    const ticketType = await createTicketType(node, event.id, { price: 10, quantity: 10 });
    const code = await newCode({ amount_off: 2.5 });
    const order = await placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id, 2), promo_code: code.code });
    await payOrder(node, buyer, order.id);
    const tickets = await issuedTickets(node, order.id, 2);
    await expect(
      call(node.broker, 'ordering.orders.refund', { id: order.id, ticket_ids: [tickets[0].id] }, as(organizer)),
    ).rejects.toMatchObject({ code: 409 });
    const refunded = await call(node.broker, 'ordering.orders.refund', { id: order.id }, as(organizer));
    expect(refunded).toMatchObject({ payment_status: 'refunded', total_price: 15 });
    const back = await node.orderingDb('payments').where({ order_id: order.id, kind: 'refund' }).sum('amount as total');
    expect(back[0].total).toBe('15.00');
  });
});
