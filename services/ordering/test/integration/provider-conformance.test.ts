import { call, type Event, type Order, type PaymentMethod } from '@ticketpro/shared';
import { PaynowStandIn } from '@ticketpro/tests/support/paynow-stand-in';
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
  issuedTickets,
  lapseHold,
  orderBody,
  orderEvents,
  organizer,
  payOrder,
  placeOrder,
  statusesOf,
  paymentLedger,
} from '../support/ordering-fixtures';

/**
 * One suite every payment provider passes: the same cases, each provider driven its own way.
 * A case that cannot happen with a provider says why, and checks the fact that makes it so.
 */
interface Harness {
  name: string;
  method: PaymentMethod;
  /** What a refund through it is recorded as: given back by the provider, or owed. */
  refundState: 'refunded' | 'refund_owed';
  start(): Promise<OrderingNode>;
  stop(): Promise<void>;
  /** Pays the order the provider's way, to the end (its notification included). */
  pay(order: Order): Promise<void>;
  /** Starts a payment and has the provider call it off / decline it; the order ends without a sale. */
  decline: Case;
  /** The payment is called off before money moves (the buyer cancels). */
  cancel: Case;
  /** Starts a payment, lets the hold lapse, then has the money confirmed. */
  lateMoney: Case;
  /** Pays with the provider's notification delivered twice. */
  duplicateNotification: Case;
  /** Starts a payment, then sends a notification of it nobody signed; it must be refused. */
  forgedNotification: Case;
}

/** How the case goes with this provider, or why it cannot happen (and a check of that fact). */
type Case = ((order: Order) => Promise<void>) | { notApplicable: string; check(order: Order): Promise<void> };

let node: OrderingNode;
const paymentOf = async (orderId: number) =>
  node.orderingDb('payments').where({ order_id: orderId, kind: 'payment' }).orderBy('id').first();
const lapse = (orderId: number) => lapseHold(node, orderId);
const payCash = (order: Order) =>
  call(node.broker, 'ordering.orders.payCash', { id: order.id, amount: order.total_price }, as(organizer));
const cancelOrder = (order: Order) => call(node.broker, 'ordering.orders.cancel', { id: order.id }, as(buyer));

/** Providers that answer at once and send no notifications (test, cash) have no callback to forge or repeat. */
const noCallbacks = {
  notApplicable: 'it answers at once and sends no notifications; Stripe- and Paynow-shaped ones are refused (404)',
  async check(order: Order) {
    await expect(
      call(node.broker, 'ordering.payments.stripeWebhook', { payload: '{}', signature: 't=1,v1=00' }),
    ).rejects.toMatchObject({ code: 404 });
    await expect(
      call(node.broker, 'ordering.payments.paynowResult', { fields: { reference: `TP-${order.id}`, status: 'Paid' } }),
    ).rejects.toMatchObject({ code: 404 });
  },
};

const testProvider: Harness = {
  name: 'test',
  method: 'credit_card',
  refundState: 'refunded',
  start: () => startOrderingNode({ ORDER_HOLD_SECONDS: 600 }),
  stop: async () => {},
  pay: async (order) => void (await payOrder(node, buyer, order.id)),
  decline: async (order) => {
    await expect(payOrder(node, buyer, order.id, { fail: true })).rejects.toMatchObject({ code: 409 });
  },
  cancel: async (order) => void (await cancelOrder(order)),
  lateMoney: {
    notApplicable: 'it answers at once, so no money can arrive after the hold: paying a lapsed order takes none (409)',
    async check(order) {
      await lapse(order.id);
      await expect(payOrder(node, buyer, order.id)).rejects.toMatchObject({ code: 409 });
      expect(await paymentOf(order.id)).toBeUndefined();
    },
  },
  duplicateNotification: noCallbacks,
  forgedNotification: noCallbacks,
};

const STRIPE_SECRET = 'whsec_conformance';
const stripeApi = new StripeStandIn();
const stripeWebhook = async (order: Order, type: Parameters<typeof paymentIntentEvent>[0], secret = STRIPE_SECRET) => {
  const payment = await paymentOf(order.id);
  const payload = paymentIntentEvent(type, {
    id: payment.provider_ref,
    amount: Math.round(order.total_price * 100),
    orderId: order.id,
    paymentId: Number(payment.id),
  });
  return call(node.broker, 'ordering.payments.stripeWebhook', { payload, signature: stripeSignature(payload, secret) });
};
const stripeProvider: Harness = {
  name: 'stripe (stand-in)',
  method: 'credit_card',
  refundState: 'refunded',
  start: async () =>
    startOrderingNode(
      { ORDER_HOLD_SECONDS: 600, STRIPE_SECRET_KEY: 'sk_test_conformance', STRIPE_WEBHOOK_SECRET: STRIPE_SECRET },
      { stripeApi: await stripeApi.start() },
    ),
  stop: () => stripeApi.stop(),
  pay: async (order) => {
    await payOrder(node, buyer, order.id);
    await stripeWebhook(order, 'payment_intent.succeeded');
  },
  decline: {
    notApplicable:
      'Stripe tells a decline to the client confirming the PaymentIntent, which may try another card: ' +
      'payment_intent.payment_failed leaves the order pending',
    async check(order) {
      await payOrder(node, buyer, order.id);
      await stripeWebhook(order, 'payment_intent.payment_failed');
      expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'pending' });
    },
  },
  cancel: async (order) => {
    await payOrder(node, buyer, order.id);
    await cancelOrder(order);
  },
  lateMoney: async (order) => {
    await payOrder(node, buyer, order.id);
    await lapse(order.id);
    await stripeWebhook(order, 'payment_intent.succeeded');
  },
  duplicateNotification: async (order) => {
    await payOrder(node, buyer, order.id);
    await stripeWebhook(order, 'payment_intent.succeeded');
    await stripeWebhook(order, 'payment_intent.succeeded');
  },
  forgedNotification: async (order) => {
    await payOrder(node, buyer, order.id);
    await expect(stripeWebhook(order, 'payment_intent.succeeded', 'whsec_forger')).rejects.toMatchObject({ code: 400 });
  },
};

const paynow = new PaynowStandIn('9001', 'b1f2e3d4-0000-4c4c-9d9d-conformance');
const paynowReference = async (order: Order) => `TP-${(await paymentOf(order.id)).id}`;
const paynowCallback = async (order: Order, status: 'Paid' | 'Cancelled' | 'Failed', forgedWith?: string) => {
  const reference = await paynowReference(order);
  paynow.setStatus(reference, status);
  const fields = Object.fromEntries(paynow.statusUpdate(reference, { forgedWith }));
  return call(node.broker, 'ordering.payments.paynowResult', { fields });
};
const paynowProvider: Harness = {
  name: 'paynow (stand-in)',
  method: 'ecocash',
  refundState: 'refund_owed',
  start: async () =>
    startOrderingNode({
      ORDER_HOLD_SECONDS: 600,
      PAYNOW_INTEGRATION_ID: paynow.integrationId,
      PAYNOW_INTEGRATION_KEY: paynow.integrationKey,
      PAYNOW_API_URL: await paynow.start(),
      PAYNOW_RESULT_URL: 'https://tickets.example.com/api/v1/payments/webhooks/paynow',
      PAYNOW_RETURN_URL: 'https://tickets.example.com/paid',
      PAYMENT_POLL_INTERVAL_SECONDS: 3600,
    }),
  stop: () => paynow.stop(),
  pay: async (order) => {
    await payOrder(node, buyer, order.id);
    await paynowCallback(order, 'Paid');
  },
  decline: async (order) => {
    await payOrder(node, buyer, order.id);
    await paynowCallback(order, 'Failed');
  },
  cancel: async (order) => {
    await payOrder(node, buyer, order.id);
    await paynowCallback(order, 'Cancelled');
  },
  lateMoney: async (order) => {
    await payOrder(node, buyer, order.id);
    await lapse(order.id);
    await paynowCallback(order, 'Paid');
  },
  duplicateNotification: async (order) => {
    await payOrder(node, buyer, order.id);
    await paynowCallback(order, 'Paid');
    await paynowCallback(order, 'Paid');
  },
  forgedNotification: async (order) => {
    await payOrder(node, buyer, order.id);
    await expect(paynowCallback(order, 'Paid', 'forger-key')).rejects.toMatchObject({ code: 400 });
  },
};

const cashProvider: Harness = {
  name: 'cash',
  method: 'cash',
  refundState: 'refund_owed',
  start: () => startOrderingNode({ ORDER_HOLD_SECONDS: 600 }),
  stop: async () => {},
  pay: async (order) => void (await payCash(order)),
  decline: {
    notApplicable: 'cash in hand cannot be declined: recording it completes the order at once',
    async check(order) {
      await payCash(order);
      expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'completed' });
    },
  },
  cancel: async (order) => void (await cancelOrder(order)),
  lateMoney: {
    notApplicable:
      'cash is recorded while the order holds its units: for a lapsed order it is refused (409), none recorded',
    async check(order) {
      await lapse(order.id);
      await expect(payCash(order)).rejects.toMatchObject({ code: 409 });
      expect(await paymentOf(order.id)).toBeUndefined();
    },
  },
  duplicateNotification: noCallbacks,
  forgedNotification: noCallbacks,
};

describe.each([testProvider, stripeProvider, paynowProvider, cashProvider])(
  'payment provider conformance: $name',
  (harness) => {
    let event: Event;

    beforeAll(async () => {
      node = await harness.start();
      event = await createEvent(node);
    });

    afterAll(async () => {
      await node?.stop();
      await harness.stop();
    });

    async function pendingOrder(quantity = 2) {
      const ticketType = await createTicketType(node, event.id, { price: 8.25, quantity: 10 });
      const order = await placeOrder(node, buyer, {
        ...orderBody(event.id, ticketType.id, quantity),
        payment_method: harness.method,
      });
      return { ticketType, order };
    }

    const run = async (c: Case, order: Order) => ('notApplicable' in c ? c.check(order) : c(order));
    const label = (name: string, c: Case, applies: string) =>
      'notApplicable' in c ? `${name}: does not apply (${c.notApplicable})` : `${name}: ${applies}`;

    it('pay: the order completes, its units are sold, tickets issued, one capture in the ledger', async () => {
      const { ticketType, order } = await pendingOrder();
      await harness.pay(order);
      expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'completed' });
      expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
      await issuedTickets(node, order.id, 2);
      expect((await paymentLedger(node, admin, order.id)).map((r) => [r.kind, r.state, r.amount])).toEqual([
        ['payment', 'completed', 16.5],
      ]);
    });

    it(label('decline', harness.decline, 'the order fails, its units are released, nothing sold'), async () => {
      const { ticketType, order } = await pendingOrder();
      await run(harness.decline, order);
      if ('notApplicable' in harness.decline) return;
      expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'failed' });
      expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
      expect((await paymentLedger(node, admin, order.id)).map((r) => r.state)).toEqual(['failed']);
    });

    it(label('cancel', harness.cancel, 'no sale, units released, no money kept'), async () => {
      const { ticketType, order } = await pendingOrder();
      await run(harness.cancel, order);
      const after = await node.orderingDb('orders').where('id', order.id).first();
      expect(['cancelled', 'failed']).toContain(after.payment_status);
      expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
      expect((await paymentLedger(node, admin, order.id)).filter((r) => r.state === 'completed')).toEqual([]);
    });

    it(
      label('late money', harness.lateMoney, 'confirmed after the hold lapsed: nothing sold, the money refunded'),
      async () => {
        const { ticketType, order } = await pendingOrder();
        await run(harness.lateMoney, order);
        expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'expired' });
        expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
        if ('notApplicable' in harness.lateMoney) return;
        expect((await paymentLedger(node, admin, order.id)).map((r) => [r.kind, r.state, r.amount])).toEqual([
          ['payment', 'refunded', 16.5],
          ['refund', harness.refundState, 16.5],
        ]);
      },
    );

    it(label('duplicate notification', harness.duplicateNotification, 'settles the payment once'), async () => {
      const { ticketType, order } = await pendingOrder();
      await run(harness.duplicateNotification, order);
      if ('notApplicable' in harness.duplicateNotification) return;
      expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.paid']);
      expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
      expect(await paymentLedger(node, admin, order.id)).toHaveLength(1);
    });

    it(label('forged notification', harness.forgedNotification, 'refused (400), nothing changes'), async () => {
      const { ticketType, order } = await pendingOrder();
      await run(harness.forgedNotification, order);
      expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'pending' });
      expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 0 });
      // At most the attempt under way, still under way: nothing captured, nothing refunded.
      const ledger = await paymentLedger(node, admin, order.id);
      expect(ledger.length).toBeLessThanOrEqual(1);
      for (const row of ledger) expect(['pending', 'awaiting_confirmation']).toContain(row.state);
    });

    it(`full refund: order refunded, units back, the refund ${harness.refundState}`, async () => {
      const { ticketType, order } = await pendingOrder();
      await harness.pay(order);
      await issuedTickets(node, order.id, 2);
      await expect(call(node.broker, 'ordering.orders.refund', { id: order.id }, as(organizer))).resolves.toMatchObject(
        {
          payment_status: 'refunded',
        },
      );
      expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
      expect((await paymentLedger(node, admin, order.id)).map((r) => [r.kind, r.state, r.amount])).toEqual([
        ['payment', 'refunded', 16.5],
        ['refund', harness.refundState, 16.5],
      ]);
    });

    it(`partial refund: 1 of 3 tickets, its unit back, its price ${harness.refundState}`, async () => {
      const { ticketType, order } = await pendingOrder(3);
      await harness.pay(order);
      const tickets = await issuedTickets(node, order.id, 3);
      await expect(
        call(node.broker, 'ordering.orders.refund', { id: order.id, ticket_ids: [tickets[2].id] }, as(organizer)),
      ).resolves.toMatchObject({ payment_status: 'partially_refunded' });
      expect(await statusesOf(node, order.id)).toEqual(['valid', 'valid', 'void']);
      expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
      expect((await paymentLedger(node, admin, order.id)).map((r) => [r.kind, r.state, r.amount])).toEqual([
        ['payment', 'completed', 24.75],
        ['refund', harness.refundState, 8.25],
      ]);
    });
  },
);
