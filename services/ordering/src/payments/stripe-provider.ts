import Stripe from 'stripe';
import { BadRequestError, NotFoundError, ProblemError } from '@ticketpro/shared';
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundOutcome, RefundRequest } from './provider';
import { toMinorUnits } from './minor-units';

/** Where the SDK sends its requests; tests point it at a local stand-in for Stripe's API. */
export type StripeApiOptions = Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'>;

/**
 * Stripe PaymentIntents: a charge creates the intent and answers `waiting` with its client
 * secret; the client confirms it, and the verified `payment_intent.succeeded` webhook completes
 * the order.
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(
    secretKey: string,
    private readonly webhookSecret: string | undefined,
    api: StripeApiOptions = {},
  ) {
    this.stripe = new Stripe(secretKey, { ...api, maxNetworkRetries: 2 });
  }

  async charge({ paymentId, orderId, amount, currency }: ChargeRequest): Promise<ChargeResult> {
    const intent = await this.request(() =>
      this.stripe.paymentIntents.create(
        {
          amount: toMinorUnits(amount),
          currency: currency.toLowerCase(),
          metadata: { order_id: String(orderId), payment_id: String(paymentId) },
          automatic_payment_methods: { enabled: true },
        },
        { idempotencyKey: `ticketpro-payment-${paymentId}` },
      ),
    );
    const outcome = intent.status === 'succeeded' ? 'succeeded' : intent.status === 'canceled' ? 'declined' : 'waiting';
    return {
      outcome,
      reference: intent.id,
      providerStatus: intent.status,
      clientSecret: intent.client_secret ?? undefined,
    };
  }

  /** A whole or partial refund of the PaymentIntent, in minor units. */
  async refund({ refundKey, reference, amount }: RefundRequest): Promise<RefundOutcome> {
    const refund = await this.request(() =>
      this.stripe.refunds.create(
        { payment_intent: reference, amount: toMinorUnits(amount) },
        { idempotencyKey: `ticketpro-${refundKey}` },
      ),
    );
    return { state: 'refunded', reference: refund.id };
  }

  /** The webhook's event, if Stripe signed it with our secret; otherwise 400. */
  verifyWebhook(payload: string, signature: string): Stripe.Event {
    if (!this.webhookSecret) throw new NotFoundError('Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)');
    try {
      return this.stripe.webhooks.constructEvent(payload, signature, this.webhookSecret);
    } catch (err) {
      throw new BadRequestError(`Invalid Stripe webhook: ${(err as Error).message}`);
    }
  }

  /** Stripe unreachable or failing is a 503 for our client, who may retry with the same payment. */
  private async request<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (err instanceof Stripe.errors.StripeError) {
        throw new ProblemError('service-unavailable', `The payment provider refused or failed: ${err.message}`);
      }
      throw err;
    }
  }
}
