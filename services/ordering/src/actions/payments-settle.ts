import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { settleOwedRefund } from '../payments/ledger';

export function settlePaymentAction(ordering: OrderingAccess) {
  return defineAction('ordering.payments.settle', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const settled = await settleOwedRefund(ordering(), ctx, caller, ctx.params.id);
    ctx.locals.logger.info({ transactionId: settled.id, by: caller.id }, 'owed refund settled');
    return settled;
  });
}
