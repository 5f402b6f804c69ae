import type { AuthUser, CreateOrderParams, Order as OrderView, RequestContext } from '@ticketpro/shared';
import type { OrderingRuntime } from '../runtime';
import { idempotent, repeatWaitMs } from '../idempotency/idempotent';
import { claimantOf } from '../idempotency/claimant';
import { releaseUnitsQuietly } from './catalog-inventory';
import { placeOrder } from './place-order';

/**
 * `POST /orders`: places the order once per idempotency key (a repeat replays the first answer),
 * and, when the units were held but the order did not commit, gives them back at once rather
 * than at the hold's expiry: also when it did not commit because the key's claim was taken over,
 * and this request answers the order of the request that took it over.
 */
export async function createOrder(
  runtime: OrderingRuntime,
  ctx: RequestContext<unknown>,
  caller: AuthUser,
  { idempotency_key, ...body }: CreateOrderParams,
): Promise<OrderView> {
  let placed: number | undefined;
  const order = await idempotent(
    runtime.resources.db,
    {
      userId: caller.id,
      key: idempotency_key,
      action: 'ordering.orders.create',
      params: body,
      status: 201,
      waitMs: repeatWaitMs(ctx.options.timeout, runtime.config),
      claimant: claimantOf(runtime),
    },
    async (attempt) => {
      let heldFor: number | undefined;
      try {
        const view = await placeOrder(runtime, ctx, caller, body, attempt, (id) => (heldFor = id));
        placed = view.id;
        return view;
      } catch (err) {
        if (heldFor !== undefined) await releaseUnitsQuietly(ctx, heldFor, ctx.locals.logger);
        throw err;
      }
    },
  );
  if (placed !== undefined) ctx.locals.logger.info({ orderId: order.id, total: order.total_price }, 'order placed');
  return order;
}
