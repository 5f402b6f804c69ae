import { Type } from '@sinclair/typebox';
import { Id, IdempotencyKey, PayOrderBody, defineAction } from '@ticketpro/shared';
import type { OrderingAccess } from '../runtime';
import { authenticatedCaller } from '../auth/caller';
import { callsFrom } from '../orders/catalog-inventory';
import { payOrder } from '../payments/pay-order';
import { idempotent, repeatWaitMs } from '../idempotency/idempotent';

const PayOrderParams = Type.Object(
  { id: Id, ...PayOrderBody.properties, idempotency_key: Type.Optional(IdempotencyKey) },
  { additionalProperties: false },
);

export function payOrderAction(ordering: OrderingAccess) {
  return defineAction(PayOrderParams, async (ctx) => {
    const runtime = ordering();
    const caller = authenticatedCaller(ctx);
    const { idempotency_key, ...request } = ctx.params;
    const call = callsFrom(ctx);
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
        waitMs: repeatWaitMs(runtime.config),
      },
      () => payOrder(runtime, call, caller, request.id, request.fail),
    );
  });
}
