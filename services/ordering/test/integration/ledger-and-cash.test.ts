import { call, type Event, type Order, type ParamsOf } from '@ticketpro/shared';
import { malformed } from '@ticketpro/shared/testing';
import { orderingNodeForFile } from '../support/ordering-node';
import {
  admin,
  as,
  buyer,
  createEvent,
  createTicketType,
  getOrder,
  inventory,
  issuedTickets,
  orderBody,
  orderEvents,
  organizer,
  otherBuyer,
  otherOrganizer,
  payOrder,
  placeOrder,
  statusesOf,
  paymentLedger,
  refundOrder,
} from '../support/ordering-fixtures';

const node = orderingNodeForFile({ ORDER_HOLD_SECONDS: 600 });
let event: Event;

beforeAll(async () => {
  event = await createEvent(node);
});

type Caller = typeof buyer | undefined;
const payCash = (caller: Caller, id: number, body: Omit<ParamsOf<'ordering.orders.payCash'>, 'id'>) =>
  call(node.broker, 'ordering.orders.payCash', { id, ...body }, as(caller));
const transaction = (caller: Caller, id: number) => call(node.broker, 'ordering.payments.get', { id }, as(caller));
const settle = (caller: Caller, id: number) => call(node.broker, 'ordering.payments.settle', { id }, as(caller));

async function pendingOrder(quantity = 2, paymentMethod: Order['payment_method'] = 'cash') {
  const ticketType = await createTicketType(node, event.id, { price: 15, quantity: 10 });
  const order = await placeOrder(node, buyer, {
    ...orderBody(event.id, ticketType.id, quantity),
    payment_method: paymentMethod,
  });
  return { ticketType, order };
}

describe('the payment ledger', () => {
  it('records every attempt with provider, reference, amount, state and who: a decline, then a capture', async () => {
    const { order } = await pendingOrder(1, 'credit_card');
    await expect(payOrder(node, buyer, order.id, { fail: true })).rejects.toMatchObject({ code: 409 });
    const declined = await paymentLedger(node, buyer, order.id);
    expect(declined).toMatchObject([
      {
        order_id: order.id,
        kind: 'payment',
        provider: 'test',
        provider_reference: `test_${declined[0].id}`,
        amount: 15,
        currency: order.currency,
        state: 'failed',
        recorded_by: buyer.id,
        refund_of: null,
      },
    ]);

    const paid = await pendingOrder(1, 'credit_card');
    await payOrder(node, buyer, paid.order.id);
    const [row] = await paymentLedger(node, buyer, paid.order.id);
    expect(row).toMatchObject({ state: 'completed', provider: 'test' });
    expect(await transaction(buyer, row.id)).toEqual(row);
  });

  it("shows an order's rows to its buyer, the event's organizer and admins; anyone else gets 404", async () => {
    const { order } = await pendingOrder(1, 'credit_card');
    await payOrder(node, buyer, order.id);
    const [row] = await paymentLedger(node, buyer, order.id);

    await expect(paymentLedger(node, organizer, order.id)).resolves.toHaveLength(1);
    await expect(paymentLedger(node, admin, order.id)).resolves.toHaveLength(1);
    await expect(transaction(organizer, row.id)).resolves.toMatchObject({ id: row.id });
    await expect(transaction(admin, row.id)).resolves.toMatchObject({ id: row.id });
    for (const stranger of [otherBuyer, otherOrganizer]) {
      await expect(paymentLedger(node, stranger, order.id)).rejects.toMatchObject({ code: 404 });
      await expect(transaction(stranger, row.id)).rejects.toMatchObject({ code: 404 });
    }
    await expect(paymentLedger(node, undefined, order.id)).rejects.toMatchObject({ code: 401 });
    await expect(transaction(admin, 2_000_000_000)).rejects.toMatchObject({ code: 404 });
    for (const params of [{ id: 0 }, { id: 2 ** 31 }, { id: row.id, extra: 1 }, { id: '1\u0000' }]) {
      await expect(call(node.broker, 'ordering.payments.get', malformed(params), as(admin))).rejects.toMatchObject({
        code: 422,
      });
    }
    for (const params of [{ id: 0 }, { id: 2 ** 31 }, { id: order.id, kind: 'refund' }, { id: `${order.id}\u0000` }]) {
      await expect(call(node.broker, 'ordering.orders.payments', malformed(params), as(admin))).rejects.toMatchObject({
        code: 422,
      });
    }
  });
});

describe('cash at the door', () => {
  it('completes the order like any payment and records who took the money', async () => {
    const { ticketType, order } = await pendingOrder(2);

    const paid = await payCash(organizer, order.id, { amount: 30, note: 'Till 3, receipt 0042' });

    expect(paid).toMatchObject({ payment_status: 'completed' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
    await issuedTickets(node, order.id, 2);
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.paid']);
    expect(await paymentLedger(node, buyer, order.id)).toMatchObject([
      { provider: 'cash', state: 'completed', amount: 30, recorded_by: organizer.id, note: 'Till 3, receipt 0042' },
    ]);
  });

  it('is refused to the buyer (403), others (404), through /pay (409), and for a wrong amount (422)', async () => {
    const { ticketType, order } = await pendingOrder(2);

    await expect(payCash(buyer, order.id, { amount: 30 })).rejects.toMatchObject({ code: 403 });
    await expect(payCash(otherOrganizer, order.id, { amount: 30 })).rejects.toMatchObject({ code: 404 });
    await expect(payCash(otherBuyer, order.id, { amount: 30 })).rejects.toMatchObject({ code: 404 });
    await expect(payOrder(node, buyer, order.id)).rejects.toMatchObject({
      code: 409,
      message: expect.stringContaining('paid at the door'),
    });
    await expect(payCash(admin, order.id, { amount: 29.99 })).rejects.toMatchObject({ code: 422 });
    for (const body of [
      { amount: 30, state: 'captured' },
      { amount: -1 },
      { amount: 1e12 },
      { amount: 30.001 },
      { amount: 30, note: 'till\u0000' },
      {},
    ]) {
      await expect(payCash(admin, order.id, malformed(body))).rejects.toMatchObject({ code: 422 });
    }
    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'pending' });
    expect(await paymentLedger(node, admin, order.id)).toEqual([]);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 0 });
  });

  it('takes the money once when recorded twice at the same instant', async () => {
    const { ticketType, order } = await pendingOrder(1);

    const answers = await Promise.allSettled([
      payCash(organizer, order.id, { amount: 15 }),
      payCash(admin, order.id, { amount: 15 }),
    ]);

    expect(answers.map((a) => a.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((answers.find((a) => a.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 409 });
    expect(await paymentLedger(node, admin, order.id)).toHaveLength(1);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 1 });
  });

  it('owes refunds of cash until the organizer settles them, once', async () => {
    const { ticketType, order } = await pendingOrder(2);
    await payCash(organizer, order.id, { amount: 30 });
    const tickets = await issuedTickets(node, order.id, 2);

    await expect(refundOrder(node, organizer, order.id, [tickets[0].id])).resolves.toMatchObject({
      payment_status: 'partially_refunded',
    });

    const owed = (await paymentLedger(node, buyer, order.id)).find((r) => r.kind === 'refund')!;
    expect(owed).toMatchObject({ provider: 'cash', state: 'refund_owed', amount: 15, settled_by: null });
    expect(await statusesOf(node, order.id)).toEqual(['void', 'valid']);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 1 });

    await expect(settle(buyer, owed.id)).rejects.toMatchObject({ code: 403 });
    await expect(settle(otherOrganizer, owed.id)).rejects.toMatchObject({ code: 404 });
    const [payment] = await paymentLedger(node, buyer, order.id);
    await expect(settle(organizer, payment.id)).rejects.toMatchObject({ code: 409 });
    for (const params of [
      { id: owed.id, settled_by: admin.id },
      { id: owed.id, state: 'refunded' },
      { id: 2 ** 31 },
      { id: `${owed.id}\u0000` },
    ]) {
      await expect(call(node.broker, 'ordering.payments.settle', malformed(params), as(admin))).rejects.toMatchObject({
        code: 422,
      });
    }
    expect(await transaction(buyer, owed.id)).toMatchObject({ state: 'refund_owed', settled_by: null });

    const answers = await Promise.allSettled([settle(organizer, owed.id), settle(admin, owed.id)]);
    expect(answers.map((a) => a.status).sort()).toEqual(['fulfilled', 'rejected']);
    const settled = await transaction(buyer, owed.id);
    expect(settled).toMatchObject({ state: 'refunded', settled_at: expect.any(String) });
    expect([organizer.id, admin.id]).toContain(settled.settled_by);
    await expect(settle(admin, owed.id)).rejects.toMatchObject({ code: 409 });
  });
});
