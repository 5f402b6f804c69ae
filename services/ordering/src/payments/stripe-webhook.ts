import { NotFoundError, type ServiceCaller } from '@ticketpro/shared';
import type { OrderingRuntime } from '../runtime';
import { StripePaymentProvider } from './stripe-provider';
import { completePayment } from './complete-payment';

/**
 * A verified Stripe event. `payment_intent.succeeded` marks our payment captured (found by the
 * intent id, or by the payment id in its metadata if the intent's id was never stored) and
 * completes the order exactly as a successful pay does, or refunds the money if the order can no
 * longer be sold. A repeat finds the payment settled and changes nothing; other events are ignored.
 */
export async function handleStripeWebhook(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  payload: string,
  signature: string,
): Promise<void> {
  const { models, resources, payments, logger } = runtime;
  const provider = payments.named('stripe');
  if (!(provider instanceof StripePaymentProvider)) throw new NotFoundError('Stripe is not the payment provider here');
  const event = provider.verifyWebhook(payload, signature);
  if (event.type !== 'payment_intent.succeeded') return;
  const intent = event.data.object;
  const paymentId = Number(intent.metadata?.payment_id);

  const captured = await resources.db.transaction(async (trx) => {
    const payment = await models.Payment.query(trx)
      .where((q) => {
        q.where({ provider: 'stripe', provider_ref: intent.id });
        if (Number.isSafeInteger(paymentId)) q.orWhere('id', paymentId);
      })
      .forUpdate()
      .first();
    if (!payment) return undefined;
    if (payment.state === 'initiated' || payment.state === 'abandoned') {
      await models.Payment.query(trx)
        .findById(payment.id)
        .patch({ state: 'captured', provider_ref: intent.id, provider_status: intent.status });
      return payment.id;
    }
    return payment.state === 'captured' ? payment.id : undefined;
  });
  if (captured === undefined) {
    logger.info({ intent: intent.id, eventId: event.id }, 'Stripe payment needs nothing more');
    return;
  }
  await completePayment(runtime, call, captured);
}
