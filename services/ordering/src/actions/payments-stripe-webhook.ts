import { defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { handleStripeWebhook } from '../payments/stripe-webhook';

/** Stripe's calls: no caller, the signature is the authentication. */
export function stripeWebhookAction(ordering: OrderingAccess) {
  return defineAction('ordering.payments.stripeWebhook', async (ctx) => {
    await handleStripeWebhook(ordering(), ctx, ctx.params.payload, ctx.params.signature);
    return { received: true as const };
  });
}
