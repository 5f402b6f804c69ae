import { call, type Event, type Order } from '@ticketpro/shared';
import { DECLINED_PHONE, PaynowStandIn } from '@ticketpro/tests/support/paynow-stand-in';
import { pollAwaitedPayments } from '../../src/payments/poll-awaited-payments';
import { sweepExpiredOrders } from '../../src';
import { startOrderingNode, type OrderingNode } from '../support/ordering-node';
import {
  admin,
  buyer,
  createEvent,
  createTicketType,
  getOrder,
  inventory,
  issuedTickets,
  lapseHold,
  orderBody,
  orderEvents,
  payOrder,
  placeOrder,
  paymentLedger,
} from '../support/ordering-fixtures';

const paynow = new PaynowStandIn('21436', '3e9fed89-60e1-4ce5-ab6e-6b1eb2d4f977');
let node: OrderingNode;
let event: Event;

beforeAll(async () => {
  const api = await paynow.start();
  node = await startOrderingNode({
    ORDER_HOLD_SECONDS: 600,
    PAYMENT_PENDING_MAX_SECONDS: 1200,
    PAYNOW_INTEGRATION_ID: paynow.integrationId,
    PAYNOW_INTEGRATION_KEY: paynow.integrationKey,
    PAYNOW_API_URL: api,
    PAYNOW_RESULT_URL: 'https://tickets.example.com/api/v1/payments/webhooks/paynow',
    PAYNOW_RETURN_URL: 'https://tickets.example.com/paid',
    PAYMENT_POLL_INTERVAL_SECONDS: 3600,
  });
  event = await createEvent(node);
});

afterAll(async () => {
  await node?.stop();
  await paynow.stop();
});

const callback = (fields: [string, string][]) =>
  call(node.broker, 'ordering.payments.paynowResult', { fields: Object.fromEntries(fields) });
const poll = () => pollAwaitedPayments(node.runtime, node.broker);

/** An EcoCash order of 2 × 7.50 whose payment Paynow pushed to the buyer's phone. */
async function awaitedOrder(method: Order['payment_method'] = 'ecocash', quantity = 2) {
  const ticketType = await createTicketType(node, event.id, { price: 7.5, quantity: 10, currency: 'USD' });
  const order = await placeOrder(node, buyer, {
    ...orderBody(event.id, ticketType.id, quantity),
    payment_method: method,
  });
  const answer = await payOrder(node, buyer, order.id);
  const reference = `TP-${answer.payment!.id}`;
  return { ticketType, order, answer, reference };
}

describe('paying with EcoCash/OneMoney through Paynow', () => {
  it("pushes the payment to the buyer's number and answers it awaiting confirmation, the hold kept longer", async () => {
    const { ticketType, order, answer, reference } = await awaitedOrder();

    expect(answer).toMatchObject({
      payment_status: 'pending',
      payment: {
        provider: 'paynow',
        status: 'awaiting_confirmation',
        instructions: expect.stringContaining('EcoCash PIN'),
      },
    });
    const sent = paynow.transaction(reference);
    expect(sent).toMatchObject({ amount: '15.00', method: 'ecocash', phone: '0771234567', status: 'Sent' });
    expect(sent.authEmail).toBe(`user${buyer.id}@example.com`);
    // Kept for PAYMENT_PENDING_MAX_SECONDS from now (1200 s), beyond the 600 s hold, here and in catalog.
    const keptFor = (new Date(answer.expires_at!).getTime() - Date.now()) / 1000;
    expect(keptFor).toBeGreaterThan(1100);
    const hold = await node.catalogDb('holds').where('order_id', order.id).first();
    expect(new Date(hold.expires_at).toISOString()).toBe(answer.expires_at);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 0 });
    expect(await paymentLedger(node, admin, order.id)).toMatchObject([
      { provider: 'paynow', provider_reference: reference, state: 'awaiting_confirmation', amount: 15 },
    ]);
    // Read again (a page reloaded), the order still says what the buyer is to do.
    expect(await getOrder(node, buyer, order.id)).toMatchObject({
      payment_status: 'pending',
      payment: { id: answer.payment!.id, status: 'awaiting_confirmation', instructions: answer.payment!.instructions },
    });
  });

  it('completes the order on the verified result callback, once however often it comes', async () => {
    const { ticketType, order, reference } = await awaitedOrder();
    paynow.setStatus(reference, 'Paid');
    const update = paynow.statusUpdate(reference);

    await expect(callback(update)).resolves.toEqual({ received: true });
    await expect(callback(update)).resolves.toEqual({ received: true });

    const completed = await getOrder(node, buyer, order.id);
    expect(completed).toMatchObject({ payment_status: 'completed' });
    expect(completed.payment).toBeUndefined();
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
    await issuedTickets(node, order.id, 2);
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.paid']);
    expect(await paymentLedger(node, admin, order.id)).toMatchObject([{ state: 'completed', provider: 'paynow' }]);
  });

  it('refuses a forged hash, a wrong amount and an unknown reference, and changes nothing', async () => {
    const { ticketType, order, reference } = await awaitedOrder();
    paynow.setStatus(reference, 'Paid');

    await expect(callback(paynow.statusUpdate(reference, { forgedWith: 'not-our-key' }))).rejects.toMatchObject({
      code: 400,
    });
    await expect(callback(paynow.statusUpdate(reference, { amount: '0.01' }))).rejects.toMatchObject({ code: 400 });
    await expect(callback(paynow.statusUpdate(reference, { reference: 'TP-999999999' }))).rejects.toMatchObject({
      code: 404,
    });
    await expect(callback(paynow.statusUpdate(reference, { reference: 'ORDER-1' }))).rejects.toMatchObject({
      code: 404,
    });
    const unsigned = paynow.statusUpdate(reference).filter(([name]) => name !== 'hash');
    await expect(callback(unsigned)).rejects.toMatchObject({ code: 400 });

    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'pending' });
    expect(await paymentLedger(node, admin, order.id)).toMatchObject([{ state: 'awaiting_confirmation' }]);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 0 });
  });

  it('completes the order by polling when no callback comes', async () => {
    const { ticketType, order, reference } = await awaitedOrder();
    await poll();
    expect(await paymentLedger(node, admin, order.id)).toMatchObject([{ state: 'awaiting_confirmation' }]);
    paynow.setStatus(reference, 'Paid');

    expect(await poll()).toBeGreaterThanOrEqual(1);

    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'completed' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
  });

  it('fails the payment and releases the units when the buyer cancels on the phone', async () => {
    const { ticketType, order, reference } = await awaitedOrder();
    paynow.setStatus(reference, 'Cancelled');

    await callback(paynow.statusUpdate(reference));

    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'failed' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
    expect(await paymentLedger(node, admin, order.id)).toMatchObject([{ state: 'cancelled' }]);
    // A late "Paid" for a cancelled payment changes nothing.
    paynow.setStatus(reference, 'Paid');
    await callback(paynow.statusUpdate(reference));
    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'failed' });
  });

  it('records money confirmed after the hold lapsed as a refund owed, and sells nothing', async () => {
    const { ticketType, order, reference } = await awaitedOrder();
    // The buyer took longer than PAYMENT_PENDING_MAX_SECONDS: the hold lapses in both services.
    await lapseHold(node, order.id);
    paynow.setStatus(reference, 'Paid');

    await callback(paynow.statusUpdate(reference));

    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'expired' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
    const rows = await paymentLedger(node, admin, order.id);
    expect(rows).toMatchObject([
      { kind: 'payment', state: 'refunded', amount: 15 },
      { kind: 'refund', provider: 'paynow', state: 'refund_owed', amount: 15, refund_of: rows[0].id },
    ]);
    // Told again (poll and callback), it is owed once.
    await callback(paynow.statusUpdate(reference));
    expect(await paymentLedger(node, admin, order.id)).toHaveLength(2);
  });

  it('finds money confirmed after the hold lapsed by polling too, and records it owed once', async () => {
    const { ticketType, order, reference } = await awaitedOrder();
    await lapseHold(node, order.id);
    // The sweep expires the order and leaves the awaited payment to the poll.
    await sweepExpiredOrders(node.runtime, node.broker);
    expect(await paymentLedger(node, admin, order.id)).toMatchObject([{ state: 'awaiting_confirmation' }]);
    paynow.setStatus(reference, 'Paid');

    await poll();
    await poll();

    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'expired' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
    expect((await paymentLedger(node, admin, order.id)).map((r) => [r.kind, r.state, r.amount])).toEqual([
      ['payment', 'refunded', 15],
      ['refund', 'refund_owed', 15],
    ]);
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.expired']);
  });

  it('settles a payment once when the callback and a poll arrive at the same instant', async () => {
    const { ticketType, order, reference } = await awaitedOrder();
    paynow.setStatus(reference, 'Paid');

    await Promise.all([callback(paynow.statusUpdate(reference)), poll(), callback(paynow.statusUpdate(reference))]);

    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'completed' });
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.paid']);
    expect(await paymentLedger(node, admin, order.id)).toHaveLength(1);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
  });

  it('fails the order at once when Paynow declines the push (insufficient balance), units released', async () => {
    const ticketType = await createTicketType(node, event.id, { price: 7.5, quantity: 10 });
    const order = await placeOrder(node, buyer, {
      ...orderBody(event.id, ticketType.id, 1),
      payment_method: 'onemoney',
    });

    await expect(payOrder(node, buyer, order.id, { phone: DECLINED_PHONE } as object)).rejects.toMatchObject({
      code: 409,
    });

    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'failed' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
    expect(await paymentLedger(node, admin, order.id)).toMatchObject([{ state: 'failed', provider: 'paynow' }]);
  });

  it('takes the phone from the pay body, as Paynow writes it, refusing one that is not a Zimbabwean mobile number (422)', async () => {
    const ticketType = await createTicketType(node, event.id, { price: 7.5, quantity: 10 });
    const order = await placeOrder(node, buyer, {
      ...orderBody(event.id, ticketType.id, 1),
      payment_method: 'onemoney',
    });
    for (const phone of ['12345', '0771234567\u0000', '+1 555 0100']) {
      await expect(payOrder(node, buyer, order.id, { phone } as object)).rejects.toMatchObject({ code: 422 });
    }
    const answer = await payOrder(node, buyer, order.id, { phone: '+263712345678' } as object);
    expect(paynow.transaction(`TP-${answer.payment!.id}`)).toMatchObject({
      phone: '0712345678',
      method: 'onemoney',
    });
    // A second pay while the first is awaited is refused, and starts nothing at Paynow.
    const started = paynow.transactions.size;
    await expect(payOrder(node, buyer, order.id)).rejects.toMatchObject({ code: 409 });
    expect(paynow.transactions.size).toBe(started);
  });

  it('sends `paynow` orders to web checkout: 202-style answer with the redirect URL, the return URL naming the order', async () => {
    const { order, answer, reference } = await awaitedOrder('paynow', 1);
    expect(answer.payment).toMatchObject({
      status: 'awaiting_confirmation',
      redirect_url: expect.stringContaining('/payment/confirm'),
    });
    expect(paynow.transaction(reference)).toMatchObject({
      method: undefined,
      returnUrl: `https://tickets.example.com/paid?order_id=${order.id}`,
      resultUrl: 'https://tickets.example.com/api/v1/payments/webhooks/paynow',
    });
    expect(paynow.requests.some((r) => r.path === '/interface/initiatetransaction')).toBe(true);
  });
});
