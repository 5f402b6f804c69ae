import { call, type Event, type Order, type TicketType } from '@ticketpro/shared';
import { startOrderingNode, type OrderingNode } from '../support/ordering-node';
import { paymentIntentEvent, StripeStandIn, stripeSignature } from '../support/stripe-stand-in';
import {
  admin,
  as,
  buyer,
  createEvent,
  createTicketType,
  getOrder,
  inventory,
  orderBody,
  orderEvents,
  payOrder,
  placeOrder,
} from '../support/ordering-fixtures';

const WEBHOOK_SECRET = 'whsec_ordering_test_secret';
const stripeApi = new StripeStandIn();
let node: OrderingNode;
let event: Event;

beforeAll(async () => {
  const api = await stripeApi.start();
  node = await startOrderingNode(
    { ORDER_HOLD_SECONDS: 600, STRIPE_SECRET_KEY: 'sk_test_ordering', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET },
    { stripeApi: api },
  );
  event = await createEvent(node);
});

afterAll(async () => {
  await node?.stop();
  await stripeApi.stop();
});

function succeededEvent(order: Order, paymentIntentId: string, paymentId: number): string {
  return paymentIntentEvent('payment_intent.succeeded', {
    id: paymentIntentId,
    amount: Math.round(order.total_price * 100),
    orderId: order.id,
    paymentId,
  });
}

const webhook = (payload: string, secret = WEBHOOK_SECRET) =>
  call(node.broker, 'ordering.payments.stripeWebhook', {
    payload,
    signature: stripeSignature(payload, secret),
  });

/** A pending order with a PaymentIntent, and the webhook payload that says it succeeded. */
async function orderAwaitingStripe(quantity = 3): Promise<{ ticketType: TicketType; order: Order; payload: string }> {
  const ticketType = await createTicketType(node, event.id, { price: 19.99, quantity: 10 });
  const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, quantity));
  await payOrder(node, buyer, order.id);
  const payment = await node.orderingDb('payments').where('order_id', order.id).first();
  return { ticketType, order, payload: succeededEvent(order, payment.provider_ref, Number(payment.id)) };
}

describe('paying with Stripe', () => {
  it('creates a PaymentIntent in minor units and answers the order pending with its client secret', async () => {
    const ticketType = await createTicketType(node, event.id, { price: 19.99, quantity: 10 });
    const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, 3));

    const answer = await payOrder(node, buyer, order.id);

    expect(answer).toMatchObject({
      payment_status: 'pending',
      payment: {
        provider: 'stripe',
        status: 'requires_payment_method',
        client_secret: expect.stringContaining('_secret_'),
      },
    });
    const payment = await node.orderingDb('payments').where('order_id', order.id).first();
    const [request] = stripeApi
      .requestsTo('/v1/payment_intents')
      .filter((r) => r.form.get('metadata[order_id]') === String(order.id));
    expect(request.form.get('amount')).toBe('5997');
    expect(request.form.get('currency')).toBe('usd');
    expect(request.idempotencyKey).toBe(`ticketpro-payment-${payment.id}`);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 7, sold: 0 });

    // Asking again answers the same PaymentIntent, without asking Stripe again.
    const intentsOfOrder = () =>
      stripeApi.requestsTo('/v1/payment_intents').filter((r) => r.form.get('metadata[order_id]') === String(order.id));
    const again = await payOrder(node, buyer, order.id);
    expect(again).toEqual(answer);
    expect(intentsOfOrder()).toHaveLength(1);
    expect(await node.orderingDb('payments').where('order_id', order.id)).toHaveLength(1);
    await expect(getOrder(node, buyer, order.id)).resolves.toMatchObject({ payment: answer.payment });
    // An admin sees the payment under way, not the secret that confirms it.
    const adminView = await getOrder(node, admin, order.id);
    expect(adminView.payment).toMatchObject({ id: answer.payment!.id, provider: 'stripe' });
    expect(adminView.payment).not.toHaveProperty('client_secret');
  });

  it('completes the order on a signed payment_intent.succeeded webhook, once however often it comes', async () => {
    const { ticketType, order, payload } = await orderAwaitingStripe();

    await expect(webhook(payload)).resolves.toEqual({ received: true });

    const completed = await getOrder(node, buyer, order.id);
    expect(completed).toMatchObject({ payment_status: 'completed' });
    expect(completed.payment).toBeUndefined();
    expect(await inventory(node, ticketType.id)).toEqual({ available: 7, sold: 3 });
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.paid']);

    await expect(webhook(payload)).resolves.toEqual({ received: true });
    await expect(webhook(payload)).resolves.toEqual({ received: true });
    expect(await getOrder(node, buyer, order.id)).toEqual(completed);
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.paid']);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 7, sold: 3 });
  });

  it('refuses a forged webhook (400) and changes nothing', async () => {
    const { ticketType, order, payload } = await orderAwaitingStripe();

    await expect(webhook(payload, 'whsec_someone_else')).rejects.toMatchObject({ code: 400 });
    await expect(
      call(node.broker, 'ordering.payments.stripeWebhook', { payload, signature: 't=1,v1=deadbeef' }),
    ).rejects.toMatchObject({ code: 400 });
    const tampered = payload.replace('"status":"succeeded"', '"status":"succeeded" ');
    await expect(
      call(node.broker, 'ordering.payments.stripeWebhook', {
        payload: tampered,
        signature: stripeSignature(payload, WEBHOOK_SECRET),
      }),
    ).rejects.toMatchObject({ code: 400 });

    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'pending' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 7, sold: 0 });
    expect(await node.orderingDb('payments').where('order_id', order.id).first('state')).toEqual({
      state: 'initiated',
    });
  });

  it('refunds a payment that lands on a cancelled order instead of accepting it', async () => {
    const { ticketType, order, payload } = await orderAwaitingStripe();
    await call(node.broker, 'ordering.orders.cancel', { id: order.id }, as(buyer));

    await expect(webhook(payload)).resolves.toEqual({ received: true });

    const payment = await node.orderingDb('payments').where('order_id', order.id).first();
    expect(payment.state).toBe('refunded');
    expect(stripeApi.requestsTo('/v1/refunds').map((r) => r.form.get('payment_intent'))).toContain(
      payment.provider_ref,
    );
    expect(await node.orderingDb('orders').where('id', order.id).first('payment_status')).toEqual({
      payment_status: 'cancelled',
    });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
  });

  it('refunds a payment that lands on an expired order, and the order stays expired', async () => {
    const { ticketType, order, payload } = await orderAwaitingStripe();
    // Time passes: the order's and the hold's expiry are behind us.
    const past = new Date(Date.now() - 1000);
    await node.orderingDb('orders').where('id', order.id).update({ expires_at: past });
    await node.catalogDb('holds').where('order_id', order.id).update({ expires_at: past });

    await expect(webhook(payload)).resolves.toEqual({ received: true });

    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'expired' });
    expect(await node.orderingDb('orders').where('id', order.id).first('payment_status')).toEqual({
      payment_status: 'expired',
    });
    expect(await node.orderingDb('payments').where('order_id', order.id).first('state')).toEqual({ state: 'refunded' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
  });

  it('refunds a completed Stripe order through Stripe when an admin asks', async () => {
    const { ticketType, order, payload } = await orderAwaitingStripe(2);
    await webhook(payload);
    const payment = await node.orderingDb('payments').where('order_id', order.id).first();

    await expect(call(node.broker, 'ordering.orders.refund', { id: order.id }, as(admin))).resolves.toMatchObject({
      payment_status: 'refunded',
    });

    const refunds = stripeApi
      .requestsTo('/v1/refunds')
      .filter((r) => r.form.get('payment_intent') === payment.provider_ref);
    expect(refunds).toHaveLength(1);
    expect(refunds[0].idempotencyKey).toBe(`ticketpro-refund-order-${order.id}-rest`);
    expect(refunds[0].form.get('amount')).toBe('3998');
    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
  });
});
