import { Type } from '@sinclair/typebox';
import { defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { callsFrom } from '../orders/catalog-inventory';
import { handleStripeWebhook } from '../payments/stripe-webhook';

const StripeWebhookParams = Type.Object(
  {
    payload: Type.String({ description: 'The raw request body, exactly as received: the signature covers it' }),
    signature: Type.String({ description: 'The Stripe-Signature header' }),
  },
  { additionalProperties: false },
);

/** Stripe's calls: no caller, the signature is the authentication. */
export function stripeWebhookAction(ordering: OrderingAccess) {
  return defineAction(StripeWebhookParams, async (ctx) => {
    await handleStripeWebhook(ordering(), callsFrom(ctx), ctx.params.payload, ctx.params.signature);
    return { received: true };
  });
}
