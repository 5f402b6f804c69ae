import { call, type Event, type Order } from '@ticketpro/shared';
import { eventually, knexStatementsDuring } from '@ticketpro/shared/testing';
import { DECLINED_PHONE, PaynowStandIn } from '@ticketpro/tests/support/paynow-stand-in';
import { pollAwaitedPayments } from '../../src/payments/poll-awaited-payments';
import { sweepExpiredOrders } from '../../src';
import { startOrderingNode, type OrderingNode } from '../support/ordering-node';
import {
  admin,
  as,
  buyer,
  createEvent,
  createTicketType,
  getOrder,
  inventory,
  issuedTickets,
  lapseHold,
  orderBody,
  orderEvents,
  organizer,
  otherBuyer,
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
    const statements = await knexStatementsDuring(node.runtime.resources.db, poll);
    // Run every 30 s, the poll finds the awaited payments straight through the driver, not knex's
    // runner (what it then does with one, as a callback would, may use knex).
    expect(statements.filter((sql) => /poll_url/.test(sql))).toEqual([]);
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
    // A second pay to another number (the account's) while the first is awaited is refused, naming
    // the awaited payment, and starts nothing at Paynow.
    const started = paynow.initiations;
    await expect(payOrder(node, buyer, order.id)).rejects.toMatchObject({
      code: 409,
      data: { order_id: order.id, payment_id: answer.payment!.id },
    });
    expect(paynow.initiations).toBe(started);
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

const payAs = (caller: typeof buyer, id: number, body: object = {}) =>
  call(node.broker, 'ordering.orders.pay', { id, ...body }, as(caller));

describe('paying again while the payment is awaited', () => {
  it('answers a repeat (without a key, or with another key) with the same awaited payment: no second push, no second row', async () => {
    const { order, answer } = await awaitedOrder();
    const pushes = paynow.initiations;

    const repeats = [
      await payOrder(node, buyer, order.id),
      await payOrder(node, buyer, order.id, { idempotency_key: `again-${order.id}` }),
      await payAs(buyer, order.id, { phone: '+263771234567' }),
    ];

    for (const repeat of repeats) expect(repeat).toEqual(answer);
    expect(paynow.initiations).toBe(pushes);
    expect(await node.orderingDb('payments').where('order_id', order.id)).toHaveLength(1);
  });

  it('keeps the web checkout redirect URL with the payment: the repeat, the order and the ledger give it to the buyer, nobody else', async () => {
    const { order, answer } = await awaitedOrder('paynow', 1);
    const redirectUrl = answer.payment!.redirect_url!;
    expect(redirectUrl).toContain('/payment/confirm');

    expect(await payOrder(node, buyer, order.id)).toEqual(answer);
    expect((await getOrder(node, buyer, order.id)).payment).toEqual(answer.payment);
    expect(await paymentLedger(node, buyer, order.id)).toMatchObject([{ redirect_url: redirectUrl }]);
    const [row] = await paymentLedger(node, buyer, order.id);
    expect(await call(node.broker, 'ordering.payments.get', { id: row.id }, as(buyer))).toMatchObject({
      redirect_url: redirectUrl,
    });
    expect(await node.orderingDb('payments').where('order_id', order.id).pluck('redirect_url')).toEqual([redirectUrl]);

    // The admin and the event's organizer see the payment, never where the buyer pays it.
    const adminView = await getOrder(node, admin, order.id);
    expect(adminView.payment).toMatchObject({ id: answer.payment!.id, status: 'awaiting_confirmation' });
    expect(adminView.payment).not.toHaveProperty('redirect_url');
    for (const viewer of [admin, organizer]) {
      const [seen] = await paymentLedger(node, viewer, order.id);
      expect(seen).not.toHaveProperty('redirect_url');
      expect(await call(node.broker, 'ordering.payments.get', { id: row.id }, as(viewer))).not.toHaveProperty(
        'redirect_url',
      );
    }
    // Another buyer learns nothing of the order, its payment or its checkout.
    await expect(getOrder(node, otherBuyer, order.id)).rejects.toMatchObject({ code: 404 });
    await expect(payOrder(node, otherBuyer, order.id)).rejects.toMatchObject({ code: 404 });
    await expect(paymentLedger(node, otherBuyer, order.id)).rejects.toMatchObject({ code: 404 });
    await expect(call(node.broker, 'ordering.payments.get', { id: row.id }, as(otherBuyer))).rejects.toMatchObject({
      code: 404,
    });
  });

  it('keeps the order as the awaited payment was asked for: its method and units do not change (409 naming it); paid, the money balances', async () => {
    const { order, answer, ticketType, reference } = await awaitedOrder('ecocash', 2);
    const awaited = {
      code: 409,
      message: expect.stringContaining(`Payment ${answer.payment!.id}`),
      data: { order_id: order.id, payment_id: answer.payment!.id },
    };
    const pushes = paynow.initiations;

    for (const caller of [buyer, admin]) {
      await expect(
        call(node.broker, 'ordering.orders.update', { id: order.id, payment_method: 'onemoney' }, as(caller)),
      ).rejects.toMatchObject(awaited);
    }
    await expect(
      call(
        node.broker,
        'ordering.orders.addUnit',
        { id: order.id, ticket_type_id: ticketType.id, ref: `more-${order.id}` },
        as(buyer),
      ),
    ).rejects.toMatchObject(awaited);
    await expect(
      call(
        node.broker,
        'ordering.orders.removeUnit',
        { id: order.id, ticket_type_id: ticketType.id, ref: `less-${order.id}` },
        as(buyer),
      ),
    ).rejects.toMatchObject(awaited);

    paynow.setStatus(reference, 'Paid');
    await callback(paynow.statusUpdate(reference));
    expect(await getOrder(node, buyer, order.id)).toMatchObject({
      payment_status: 'completed',
      payment_method: 'ecocash',
      total_price: 15,
      items: [{ quantity: 2 }],
    });
    expect(await paymentLedger(node, admin, order.id)).toMatchObject([{ state: 'completed', amount: 15 }]);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
    expect(paynow.initiations).toBe(pushes);
  });

  it('refuses a pay for another method or amount than the payment awaited (409 naming it), starting nothing', async () => {
    const { order, answer } = await awaitedOrder('ecocash', 1);
    const awaited = { code: 409, data: { order_id: order.id, payment_id: answer.payment!.id } };
    const pushes = paynow.initiations;
    // An order changed under an attempt recorded before such changes were refused.
    const orders = () => node.orderingDb('orders').where('id', order.id);

    await orders().update({ payment_method: 'onemoney' });
    await expect(payOrder(node, buyer, order.id)).rejects.toMatchObject({
      ...awaited,
      message: expect.stringContaining('ecocash, not onemoney'),
    });
    await orders().update({ payment_method: 'ecocash', total_price: '15.00' });
    await expect(payOrder(node, buyer, order.id)).rejects.toMatchObject({
      ...awaited,
      message: expect.stringContaining('7.50 USD'),
    });

    expect(paynow.initiations).toBe(pushes);
    expect(await node.orderingDb('payments').where('order_id', order.id).pluck('state')).toEqual(['awaiting']);
  });

  it('asks Paynow again at once when it failed (503), under the same payment: one row, one push that took', async () => {
    const ticketType = await createTicketType(node, event.id, { price: 7.5, quantity: 10 });
    const order = await placeOrder(node, buyer, {
      ...orderBody(event.id, ticketType.id, 1),
      payment_method: 'ecocash',
    });
    paynow.failInitiations(1);

    await expect(payOrder(node, buyer, order.id)).rejects.toMatchObject({ code: 503 });
    const [attempt] = await node.orderingDb('payments').where('order_id', order.id);
    expect(attempt).toMatchObject({ state: 'initiated', provider_ref: null, charging_until: null });

    const answer = await payOrder(node, buyer, order.id);
    expect(answer.payment).toMatchObject({ id: Number(attempt.id), status: 'awaiting_confirmation' });
    expect(await node.orderingDb('payments').where('order_id', order.id).pluck('state')).toEqual(['awaiting']);
    expect(paynow.transaction(`TP-${attempt.id}`)).toMatchObject({ amount: '7.50', status: 'Sent' });
    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'pending' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 0 });
  });

  it('refuses unknown, server-owned and malformed fields (422) and changes nothing', async () => {
    const { order } = await awaitedOrder('paynow', 1);
    const pushes = paynow.initiations;
    for (const body of [
      { amount: 1 },
      { redirect_url: 'https://evil.example/pay' },
      { payment: { id: 1 } },
      { phone: '0771234567\u0000' },
      { phone: '0'.repeat(5000) },
    ]) {
      await expect(payAs(buyer, order.id, body)).rejects.toMatchObject({ code: 422 });
    }
    for (const id of [0, -1, 2 ** 31, 1.5]) {
      await expect(payAs(buyer, id)).rejects.toMatchObject({ code: 422 });
    }
    expect(paynow.initiations).toBe(pushes);
  });

  it('pushes once for several pays of one order at the same instant, all answered with the one payment; the money then balances', async () => {
    const ticketType = await createTicketType(node, event.id, { price: 7.5, quantity: 10 });
    const order = await placeOrder(node, buyer, {
      ...orderBody(event.id, ticketType.id, 2),
      payment_method: 'ecocash',
    });
    const pushes = paynow.initiations;
    paynow.holdInitiations();
    let answers: Order[];
    try {
      const pays = Promise.all([
        payOrder(node, buyer, order.id),
        payOrder(node, buyer, order.id),
        payOrder(node, buyer, order.id, { idempotency_key: `same-instant-${order.id}` }),
      ]);
      // Paynow holds the first push while the others arrive.
      await eventually(async () => paynow.heldInitiations > 0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      paynow.releaseInitiations();
      answers = await pays;
    } finally {
      paynow.releaseInitiations();
    }

    expect(paynow.initiations - pushes).toBe(1);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0].payment).toMatchObject({ status: 'awaiting_confirmation' });
    expect(await node.orderingDb('payments').where('order_id', order.id)).toHaveLength(1);

    paynow.setStatus(`TP-${answers[0].payment!.id}`, 'Paid');
    await callback(paynow.statusUpdate(`TP-${answers[0].payment!.id}`));
    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'completed', total_price: 15 });
    expect(await paymentLedger(node, admin, order.id)).toMatchObject([
      { kind: 'payment', state: 'completed', amount: 15 },
    ]);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.paid']);
  });

  it("answers a pay that waited out its own timeout for another pay's push 503, keeps nothing under its key, and gives the payment to the retry with the key", async () => {
    const ticketType = await createTicketType(node, event.id, { price: 7.5, quantity: 10 });
    const order = await placeOrder(node, buyer, {
      ...orderBody(event.id, ticketType.id, 1),
      payment_method: 'ecocash',
    });
    const key = `waited-out-${order.id}`;
    const pushes = paynow.initiations;
    paynow.holdInitiations();
    let first: Order;
    try {
      const firstPay = payOrder(node, buyer, order.id);
      await eventually(async () => paynow.heldInitiations > 0);
      // Its own call gives it 3 s: it waits 2.4 s (80%) on the push under way, then gives up.
      await expect(
        call(
          node.broker,
          'ordering.orders.pay',
          { id: order.id, idempotency_key: key },
          { ...as(buyer), timeout: 3000 },
        ),
      ).rejects.toMatchObject({ code: 503, type: 'service-unavailable', data: { order_id: order.id } });
      expect(await node.orderingDb('idempotency_keys').where({ user_id: buyer.id, key })).toEqual([]);
      paynow.releaseInitiations();
      first = await firstPay;
    } finally {
      paynow.releaseInitiations();
    }

    expect(await payOrder(node, buyer, order.id, { idempotency_key: key })).toEqual(first);
    expect(first.payment).toMatchObject({ status: 'awaiting_confirmation' });
    expect(paynow.initiations - pushes).toBe(1);
    expect(await node.orderingDb('payments').where('order_id', order.id)).toHaveLength(1);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 0 });
  });
});
