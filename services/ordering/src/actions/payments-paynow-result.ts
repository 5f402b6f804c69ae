import { defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { handlePaynowResult } from '../payments/paynow/paynow-result';

/** Paynow's status updates: no caller, the hash is the authentication. */
export function paynowResultAction(ordering: OrderingAccess) {
  return defineAction('ordering.payments.paynowResult', async (ctx) => {
    await handlePaynowResult(ordering(), ctx, Object.entries(ctx.params.fields));
    return { received: true as const };
  });
}
