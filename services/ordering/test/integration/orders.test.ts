import { call, type Event } from '@ticketpro/shared';
import { malformed } from '@ticketpro/shared/testing';
import { orderingNodeForFile } from '../support/ordering-node';
import {
  admin,
  as,
  buyer,
  checkIn,
  createEvent,
  createTicketType,
  getOrder,
  inventory,
  issuedTickets,
  listOrders,
  orderBody,
  orderEvents,
  organizer,
  otherBuyer,
  otherOrganizer,
  payOrder,
  placeOrder,
  statusesOf,
  refundOrder,
} from '../support/ordering-fixtures';

const node = orderingNodeForFile({ ORDER_HOLD_SECONDS: 600 });
let event: Event;

beforeAll(async () => {
  event = await createEvent(node);
});

const update = (caller: typeof buyer | undefined, id: number, changes: object) =>
  call(node.broker, 'ordering.orders.update', { id, ...changes }, as(caller));
const cancel = (caller: typeof buyer | undefined, id: number) =>
  call(node.broker, 'ordering.orders.cancel', { id }, as(caller));

async function pendingOrder(quantity = 1, caller = buyer) {
  const ticketType = await createTicketType(node, event.id, { quantity: 10 });
  const order = await placeOrder(node, caller, orderBody(event.id, ticketType.id, quantity));
  return { ticketType, order };
}

describe('ordering.orders.create', () => {
  it('holds the units and answers a pending order priced exactly from catalog (3 × 19.99 = 59.97)', async () => {
    const ticketType = await createTicketType(node, event.id, { price: 19.99, quantity: 10 });
    const before = Date.now();

    const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, 3));

    expect(order).toMatchObject({
      user_id: buyer.id,
      event_id: event.id,
      total_price: 59.97,
      currency: 'USD',
      payment_method: 'credit_card',
      payment_status: 'pending',
      items: [{ ticket_type_id: ticketType.id, quantity: 3, unit_price: 19.99 }],
    });
    const expiresIn = Date.parse(order.expires_at!) - before;
    expect(expiresIn).toBeGreaterThanOrEqual(599_000);
    expect(expiresIn).toBeLessThanOrEqual(605_000);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 7, sold: 0 });
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created']);
    const [stored] = await node
      .orderingDb('orders')
      .where('id', order.id)
      .select(node.orderingDb.raw('total_price::text AS total'));
    expect(stored.total).toBe('59.97');
    const items = await node
      .orderingDb('order_items')
      .where('order_id', order.id)
      .select('ticket_type_id', 'quantity', node.orderingDb.raw('unit_price::text AS unit_price'));
    expect(items).toEqual([{ ticket_type_id: ticketType.id, quantity: 3, unit_price: '19.99' }]);
    const [created] = await node
      .orderingDb('outbox')
      .whereRaw("(envelope->'data'->>'id')::int = ?", [order.id])
      .select('envelope');
    expect(created.envelope.data).toEqual({
      id: order.id,
      user_id: buyer.id,
      event_id: event.id,
      total_price: '59.97',
      currency: 'USD',
      payment_method: 'credit_card',
      payment_status: 'pending',
      expires_at: order.expires_at,
      items: [{ ticket_type_id: ticketType.id, quantity: 3, unit_price: '19.99' }],
    });
  });

  it('sums several ticket types in NUMERIC and keeps ZWG', async () => {
    const cheap = await createTicketType(node, event.id, { price: 0.1, currency: 'ZWG' });
    const dear = await createTicketType(node, event.id, { price: 0.2, currency: 'ZWG' });
    const order = await placeOrder(node, buyer, {
      event_id: event.id,
      payment_method: 'ecocash',
      items: [
        { ticket_type_id: dear.id, quantity: 1 },
        { ticket_type_id: cheap.id, quantity: 1 },
      ],
    });
    expect(order).toMatchObject({ total_price: 0.3, currency: 'ZWG', payment_method: 'ecocash' });
  });

  it('creates no order and holds nothing when catalog refuses any item (sold out: 409)', async () => {
    const plenty = await createTicketType(node, event.id, { quantity: 10 });
    const scarce = await createTicketType(node, event.id, { quantity: 1, name: 'Front row' });
    const ordersBefore = await node.orderingDb('orders').count({ n: '*' }).first();

    await expect(
      placeOrder(node, otherBuyer, {
        event_id: event.id,
        payment_method: 'cash',
        items: [
          { ticket_type_id: plenty.id, quantity: 2 },
          { ticket_type_id: scarce.id, quantity: 2 },
        ],
      }),
    ).rejects.toMatchObject({ code: 409, message: expect.stringContaining('sold out') });

    expect(await node.orderingDb('orders').count({ n: '*' }).first()).toEqual(ordersBefore);
    expect(await inventory(node, plenty.id)).toEqual({ available: 10, sold: 0 });
  });

  it('passes on catalog 422s (above max_per_order, another event’s ticket type) and 404s', async () => {
    const limited = await createTicketType(node, event.id, { max_per_order: 2 });
    const otherEvent = await createEvent(node);
    const theirs = await createTicketType(node, otherEvent.id);

    await expect(placeOrder(node, buyer, orderBody(event.id, limited.id, 3))).rejects.toMatchObject({ code: 422 });
    await expect(placeOrder(node, buyer, orderBody(event.id, theirs.id))).rejects.toMatchObject({ code: 422 });
    await expect(placeOrder(node, buyer, orderBody(2_000_000_000, limited.id))).rejects.toMatchObject({ code: 404 });
    expect(await inventory(node, limited.id)).toEqual({ available: 100, sold: 0 });
  });

  it.each([
    ['a client-chosen total_price', { total_price: 1 }],
    ['a client-chosen payment_status', { payment_status: 'completed' }],
    ['no items', { items: [] }],
    ['zero units', { items: [{ ticket_type_id: 1, quantity: 0 }] }],
    ['an unknown payment method', { payment_method: 'barter' }],
    ['a blank idempotency key', { idempotency_key: '' }],
  ])('refuses %s with 422', async (_label, change) => {
    await expect(
      call(node.broker, 'ordering.orders.create', malformed({ ...orderBody(event.id, 1), ...change }), as(buyer)),
    ).rejects.toMatchObject({ code: 422 });
  });

  it('answers 401 without a caller', async () => {
    await expect(placeOrder(node, undefined, orderBody(event.id, 1))).rejects.toMatchObject({ code: 401 });
  });
});

describe('ordering.orders.get and list', () => {
  it('shows an order to its owner and admins, 404 to anyone else, 401 without a caller', async () => {
    const { order } = await pendingOrder();
    await expect(getOrder(node, buyer, order.id)).resolves.toEqual(order);
    await expect(getOrder(node, admin, order.id)).resolves.toEqual(order);
    await expect(getOrder(node, otherBuyer, order.id)).rejects.toMatchObject({ code: 404 });
    await expect(getOrder(node, organizer, order.id)).rejects.toMatchObject({ code: 404 });
    await expect(getOrder(node, buyer, 2_000_000_000)).rejects.toMatchObject({ code: 404 });
    await expect(getOrder(node, undefined, order.id)).rejects.toMatchObject({ code: 401 });
  });

  it('lists the caller’s own orders newest first, admins everyone’s, with filters and pagination', async () => {
    const lister = { id: 401, role: 'user' as const };
    const ticketType = await createTicketType(node, event.id);
    const otherEvent = await createEvent(node);
    const otherType = await createTicketType(node, otherEvent.id);
    const first = await placeOrder(node, lister, orderBody(event.id, ticketType.id));
    const second = await placeOrder(node, lister, orderBody(otherEvent.id, otherType.id));
    const third = await placeOrder(node, lister, orderBody(event.id, ticketType.id));
    await payOrder(node, lister, third.id);
    const someoneElses = await placeOrder(node, otherBuyer, orderBody(event.id, ticketType.id));

    const mine = await listOrders(node, lister);
    expect(mine.items.map((o) => o.id)).toEqual([third.id, second.id, first.id]);
    expect(mine).toMatchObject({ total: 3, skip: 0, limit: 20, has_next: false, has_prev: false });

    const page = await listOrders(node, lister, { skip: 1, limit: 1 });
    expect(page).toMatchObject({ total: 3, has_next: true, has_prev: true, items: [{ id: second.id }] });

    expect((await listOrders(node, lister, { event_id: otherEvent.id })).items.map((o) => o.id)).toEqual([second.id]);
    expect((await listOrders(node, lister, { payment_status: 'completed' })).items.map((o) => o.id)).toEqual([
      third.id,
    ]);
    expect((await listOrders(node, lister, { payment_status: 'pending' })).items.map((o) => o.id)).toEqual([
      second.id,
      first.id,
    ]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await listOrders(node, lister, { from_date: today, to_date: today })).total).toBe(3);
    expect((await listOrders(node, lister, { to_date: '2000-01-01' })).total).toBe(0);

    const all = await listOrders(node, admin, { limit: 100 });
    expect(all.items.map((o) => o.id)).toEqual(expect.arrayContaining([first.id, someoneElses.id]));
    await expect(listOrders(node, lister, { limit: 101 })).rejects.toMatchObject({ code: 422 });
    await expect(listOrders(node, lister, { payment_status: 'lost' })).rejects.toMatchObject({ code: 422 });
    await expect(listOrders(node, undefined)).rejects.toMatchObject({ code: 401 });
  });
});

describe('ordering.orders.update', () => {
  it('lets the owner change the payment method while pending, but not the status (403)', async () => {
    const { order } = await pendingOrder();
    await expect(update(buyer, order.id, { payment_method: 'paypal' })).resolves.toMatchObject({
      payment_method: 'paypal',
      payment_status: 'pending',
    });
    await expect(update(buyer, order.id, { payment_status: 'completed' })).rejects.toMatchObject({ code: 403 });
    await expect(update(otherBuyer, order.id, { payment_method: 'cash' })).rejects.toMatchObject({ code: 404 });
    await expect(update(buyer, order.id, {})).rejects.toMatchObject({ code: 422 });
    await expect(update(buyer, order.id, { total_price: 0 })).rejects.toMatchObject({ code: 422 });
    expect((await getOrder(node, buyer, order.id)).payment_status).toBe('pending');
  });

  it('lets an admin complete a pending order by hand: the sale is confirmed in catalog', async () => {
    const { ticketType, order } = await pendingOrder(2);
    await expect(update(admin, order.id, { payment_status: 'completed' })).resolves.toMatchObject({
      payment_status: 'completed',
    });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.paid']);
    await expect(update(admin, order.id, { payment_status: 'cancelled' })).rejects.toMatchObject({ code: 409 });
    await expect(update(buyer, order.id, { payment_method: 'cash' })).rejects.toMatchObject({ code: 409 });
  });

  it('lets an admin cancel by hand: the hold is released and the order vanishes', async () => {
    const { ticketType, order } = await pendingOrder(2);
    await expect(update(admin, order.id, { payment_status: 'cancelled' })).resolves.toMatchObject({
      payment_status: 'cancelled',
    });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
    await expect(getOrder(node, buyer, order.id)).rejects.toMatchObject({ code: 404 });
  });

  it('lets an admin fail or expire by hand (units back), but not refund a pending order', async () => {
    const { ticketType, order } = await pendingOrder(3);
    await expect(update(admin, order.id, { payment_status: 'refunded' })).rejects.toMatchObject({ code: 409 });
    await expect(update(admin, order.id, { payment_status: 'expired' })).resolves.toMatchObject({
      payment_status: 'expired',
    });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.expired']);
    await expect(update(admin, order.id, { payment_status: 'pending' })).rejects.toMatchObject({ code: 409 });

    const failed = await pendingOrder(1);
    await expect(update(admin, failed.order.id, { payment_status: 'failed' })).resolves.toMatchObject({
      payment_status: 'failed',
    });
    expect(await inventory(node, failed.ticketType.id)).toEqual({ available: 10, sold: 0 });
  });
});

describe('ordering.orders.cancel', () => {
  it('cancels a pending order for its owner: units released, soft-deleted, event recorded', async () => {
    const { ticketType, order } = await pendingOrder(4);
    await expect(cancel(otherBuyer, order.id)).rejects.toMatchObject({ code: 404 });
    await expect(cancel(undefined, order.id)).rejects.toMatchObject({ code: 401 });

    await expect(cancel(buyer, order.id)).resolves.toEqual({ message: 'Order cancelled' });

    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
    await expect(getOrder(node, buyer, order.id)).rejects.toMatchObject({ code: 404 });
    expect((await listOrders(node, admin, { limit: 100 })).items.map((o) => o.id)).not.toContain(order.id);
    const [row] = await node.orderingDb('orders').where('id', order.id);
    expect(row).toMatchObject({ payment_status: 'cancelled', deleted_at: expect.any(Date) });
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.cancelled']);
    await expect(cancel(buyer, order.id)).rejects.toMatchObject({ code: 404 });
  });

  it('lets an admin cancel, and refuses a paid order with "request a refund" (409)', async () => {
    const { order } = await pendingOrder();
    await expect(cancel(admin, order.id)).resolves.toEqual({ message: 'Order cancelled' });

    const paid = await pendingOrder();
    await payOrder(node, buyer, paid.order.id);
    await expect(cancel(buyer, paid.order.id)).rejects.toMatchObject({
      code: 409,
      message: expect.stringContaining('request a refund'),
    });
  });
});

describe('ordering.orders.pay (test provider)', () => {
  it('completes the order for its owner: sale confirmed, ordering.order.paid recorded', async () => {
    const { ticketType, order } = await pendingOrder(2);
    await expect(payOrder(node, otherBuyer, order.id)).rejects.toMatchObject({ code: 404 });
    await expect(payOrder(node, admin, order.id)).rejects.toMatchObject({ code: 403 });

    const paid = await payOrder(node, buyer, order.id);

    expect(paid).toMatchObject({ id: order.id, payment_status: 'completed', total_price: order.total_price });
    expect(paid.payment).toBeUndefined();
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.paid']);
    const payments = await node.orderingDb('payments').where('order_id', order.id);
    expect(payments).toMatchObject([{ provider: 'test', state: 'captured', amount: '39.98' }]);
    await expect(payOrder(node, buyer, order.id)).rejects.toMatchObject({ code: 409 });
  });

  it('fails the order on a declined payment (409 "payment declined") and gives the units back', async () => {
    const { ticketType, order } = await pendingOrder(3);

    await expect(payOrder(node, buyer, order.id, { fail: true })).rejects.toMatchObject({
      code: 409,
      message: expect.stringMatching(/payment declined/i),
    });

    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'failed' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
    expect(await node.orderingDb('payments').where('order_id', order.id)).toMatchObject([{ state: 'declined' }]);
    await expect(payOrder(node, buyer, order.id)).rejects.toMatchObject({ code: 409 });
    await expect(update(buyer, order.id, { payment_method: 'cash' })).rejects.toMatchObject({ code: 409 });
  });

  it('refuses bad input (422) and a missing caller (401)', async () => {
    const { order } = await pendingOrder();
    await expect(payOrder(node, undefined, order.id)).rejects.toMatchObject({ code: 401 });
    await expect(
      call(node.broker, 'ordering.orders.pay', malformed({ id: order.id, amount: 1 }), as(buyer)),
    ).rejects.toMatchObject({ code: 422 });
    await expect(call(node.broker, 'ordering.orders.pay', malformed({ id: 'one' }), as(buyer))).rejects.toMatchObject({
      code: 422,
    });
  });
});

describe('ordering.orders.refund', () => {
  it('refunds a completed order for an admin: units back on sale, ordering.order.refunded recorded', async () => {
    const { ticketType, order } = await pendingOrder(2);
    await payOrder(node, buyer, order.id);

    await expect(refundOrder(node, admin, order.id)).resolves.toMatchObject({ payment_status: 'refunded' });

    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
    expect(await orderEvents(node, order.id)).toEqual([
      'ordering.order.created',
      'ordering.order.paid',
      'ordering.order.refunded',
    ]);
    expect(await node.orderingDb('payments').where({ order_id: order.id, kind: 'payment' })).toMatchObject([
      { state: 'refunded' },
    ]);
    await expect(refundOrder(node, admin, order.id)).rejects.toMatchObject({ code: 409 });
  });

  it('lets the event’s organizer refund; the owner gets 403, other organizers and users 404', async () => {
    const { order } = await pendingOrder();
    await payOrder(node, buyer, order.id);

    await expect(refundOrder(node, buyer, order.id)).rejects.toMatchObject({ code: 403 });
    await expect(refundOrder(node, otherOrganizer, order.id)).rejects.toMatchObject({ code: 404 });
    await expect(refundOrder(node, otherBuyer, order.id)).rejects.toMatchObject({ code: 404 });
    await expect(refundOrder(node, undefined, order.id)).rejects.toMatchObject({ code: 401 });
    await expect(refundOrder(node, organizer, order.id)).resolves.toMatchObject({ payment_status: 'refunded' });
  });

  it('refuses orders that are not completed (409)', async () => {
    const { order } = await pendingOrder();
    await expect(refundOrder(node, admin, order.id)).rejects.toMatchObject({ code: 409 });
    await expect(refundOrder(node, admin, 2_000_000_000)).rejects.toMatchObject({ code: 404 });
  });

  it('voids every ticket before it answers, so a check-in right after it is refused', async () => {
    const { order } = await pendingOrder(2);
    await payOrder(node, buyer, order.id);
    const tickets = await issuedTickets(node, order.id, 2);

    await refundOrder(node, organizer, order.id);

    expect(await statusesOf(node, order.id)).toEqual(['void', 'void']);
    await expect(checkIn(node, tickets[0].qr_code)).rejects.toMatchObject({ code: 409, message: 'The ticket is void' });
  });

  it('refuses (409) an order with a used ticket: the money, the units and the other tickets stay as they were', async () => {
    const { ticketType, order } = await pendingOrder(3);
    await payOrder(node, buyer, order.id);
    const tickets = await issuedTickets(node, order.id, 3);
    await checkIn(node, tickets[1].qr_code);

    await expect(refundOrder(node, admin, order.id)).rejects.toMatchObject({
      code: 409,
      message: expect.stringContaining("1 of the order's 3 tickets is already used"),
      data: { used_ticket_ids: [tickets[1].id] },
    });

    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'completed' });
    expect(await node.orderingDb('payments').where('order_id', order.id)).toMatchObject([{ state: 'captured' }]);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 7, sold: 3 });
    expect(await statusesOf(node, order.id)).toEqual(['valid', 'used', 'valid']);
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.paid']);
  });

  it('finishes a refund cut short after the tickets were voided when it is asked again', async () => {
    const { ticketType, order } = await pendingOrder(2);
    await payOrder(node, buyer, order.id);
    await issuedTickets(node, order.id, 2);
    const provider = node.runtime.payments.named('test')!;
    const refundMoney = provider.refund;
    provider.refund = async () => {
      throw new Error('the provider is unreachable');
    };
    try {
      await expect(refundOrder(node, admin, order.id)).rejects.toThrow('the provider is unreachable');
    } finally {
      provider.refund = refundMoney;
    }
    // Cut short: the tickets are void, the money and the units not yet back.
    expect(await statusesOf(node, order.id)).toEqual(['void', 'void']);
    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'completed' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });

    await expect(refundOrder(node, admin, order.id)).resolves.toMatchObject({ payment_status: 'refunded' });

    expect(await node.orderingDb('payments').where('order_id', order.id).orderBy('id')).toMatchObject([
      { kind: 'payment', state: 'refunded' },
      { kind: 'refund', state: 'refunded', amount: order.total_price.toFixed(2) },
    ]);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
    expect(await statusesOf(node, order.id)).toEqual(['void', 'void']);
  });
});
