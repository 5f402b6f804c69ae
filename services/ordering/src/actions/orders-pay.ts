import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { payOrder } from '../payments/pay-order';
import { idempotent, repeatWaitMs } from '../idempotency/idempotent';

export function payOrderAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.pay', async (ctx) => {
    const runtime = ordering();
    const caller = authenticatedCaller(ctx);
    const { idempotency_key, ...request } = ctx.params;
    // The payment's own steps commit as they go: the attempt must be on record before the
    // provider is called.
    return idempotent(
      runtime.resources.db,
      {
        userId: caller.id,
        key: idempotency_key,
        action: 'ordering.orders.pay',
        params: request,
        status: 200,
        waitMs: repeatWaitMs(ctx.options.timeout, runtime.config),
      },
      ({ resumed }) =>
        payOrder(runtime, ctx, caller, request.id, { fail: request.fail, phone: request.phone, resumed }),
    );
  });
}
