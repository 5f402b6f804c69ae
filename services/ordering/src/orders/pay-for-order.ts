import type { AuthUser, Order as OrderView, PayOrderParams, RequestContext } from '@ticketpro/shared';
import type { OrderingRuntime } from '../runtime';
import { idempotent, repeatWaitMs } from '../idempotency/idempotent';
import { claimantOf } from '../idempotency/claimant';
import { payOrder } from '../payments/pay-order';

/**
 * `POST /orders/{id}/pay`: pays the order once per idempotency key (a repeat replays the first
 * answer, or resumes an attempt that was cut short); without a key, or with another one, a repeat
 * while the payment is under way answers that payment (payOrder). No transaction wraps it: the
 * payment's own steps commit as they go, since the attempt must be on record before the provider
 * is called.
 */
export function payForOrder(
  runtime: OrderingRuntime,
  ctx: RequestContext<unknown>,
  caller: AuthUser,
  { idempotency_key, ...request }: PayOrderParams,
): Promise<OrderView> {
  const waitMs = repeatWaitMs(ctx.options.timeout, runtime.config);
  const claimant = claimantOf(runtime);
  return idempotent(
    runtime.resources.db,
    {
      userId: caller.id,
      key: idempotency_key,
      action: 'ordering.orders.pay',
      params: request,
      status: 200,
      waitMs,
      claimant,
    },
    ({ resumed }) =>
      payOrder(runtime, ctx, caller, request.id, {
        fail: request.fail,
        phone: request.phone,
        resumed,
        waitMs,
        claimant,
      }),
  );
}
