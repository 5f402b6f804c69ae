import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { releaseUnitsQuietly } from '../orders/catalog-inventory';
import { placeOrder } from '../orders/place-order';
import { toOrderView } from '../orders/order-view';
import { idempotent, repeatWaitMs } from '../idempotency/idempotent';

/** Places an order: its units held in catalog, priced from the hold, pending until paid or expired. */
export function createOrderAction(ordering: OrderingAccess) {
  return defineAction('ordering.orders.create', async (ctx) => {
    const runtime = ordering();
    const caller = authenticatedCaller(ctx);
    const { idempotency_key, ...body } = ctx.params;
    let heldFor: number | undefined;
    try {
      const order = await idempotent(
        runtime.resources.db,
        {
          userId: caller.id,
          key: idempotency_key,
          action: 'ordering.orders.create',
          params: body,
          status: 201,
          waitMs: repeatWaitMs(ctx.options.timeout, runtime.config),
        },
        async () => toOrderView(await placeOrder(runtime, ctx, caller, body, (id) => (heldFor = id))),
      );
      if (heldFor !== undefined)
        ctx.locals.logger.info({ orderId: order.id, total: order.total_price }, 'order placed');
      return order;
    } catch (err) {
      // The units were held but the order was not committed: give them back now rather than at expiry.
      if (heldFor !== undefined) await releaseUnitsQuietly(ctx, heldFor, ctx.locals.logger);
      throw err;
    }
  });
}
