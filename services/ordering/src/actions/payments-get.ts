import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { paymentTransaction } from '../payments/ledger';

export function getPaymentAction(ordering: OrderingAccess) {
  return defineAction('ordering.payments.get', (ctx) =>
    paymentTransaction(ordering(), ctx, authenticatedCaller(ctx), ctx.params.id),
  );
}
