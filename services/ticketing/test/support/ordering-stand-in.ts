import type { ServiceSchema } from 'moleculer';
import type { AddOrderUnitParams, AddedOrderUnit, AuthUser, Order, RemovedOrderUnit } from '@ticketpro/shared';
import { standInService } from '@ticketpro/shared/testing';

export interface AddUnitCall {
  params: AddOrderUnitParams;
  caller: AuthUser | undefined;
}

/**
 * Stands in for ordering across the boundary: `orders.addUnit` answers whatever `answer` gives
 * and `orders.removeUnit` whatever `removal` gives (or throw what they throw), and every call
 * is kept with the caller it carried.
 */
export class OrderingStandIn {
  readonly calls: AddUnitCall[] = [];
  answer: (call: AddUnitCall) => AddedOrderUnit = () => {
    throw new Error('No answer set');
  };
  readonly removals: AddUnitCall[] = [];
  removal: (call: AddUnitCall) => RemovedOrderUnit = () => {
    throw new Error('No removal answer set');
  };

  schema(): ServiceSchema {
    return standInService('ordering', {
      'orders.addUnit': async (ctx) => {
        const call = { params: ctx.params, caller: ctx.meta.user };
        this.calls.push(call);
        return this.answer(call);
      },
      'orders.removeUnit': async (ctx) => {
        const call = { params: ctx.params, caller: ctx.meta.user };
        this.removals.push(call);
        return this.removal(call);
      },
    });
  }
}

/** A pending order as ordering answers it, with one item of `quantity` units. */
export function pendingOrder(
  id: number,
  userId: number,
  eventId: number,
  ticketTypeId: number,
  quantity: number,
): Order {
  const now = new Date().toISOString();
  return {
    id,
    user_id: userId,
    event_id: eventId,
    order_date: now,
    total_price: quantity * 10,
    discount: 0,
    promo_code: null,
    currency: 'USD',
    payment_method: 'credit_card',
    payment_status: 'pending',
    expires_at: new Date(Date.now() + 600_000).toISOString(),
    items: [{ ticket_type_id: ticketTypeId, quantity, unit_price: 10, discount: 0 }],
    created_at: now,
    updated_at: now,
  };
}
