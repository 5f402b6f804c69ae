import type { Knex } from 'knex';
import { Order } from './order';
import { OrderItem } from './order-item';
import { Payment } from './payment';

export { Order, OrderItem, Payment };
export type { PaymentKind, PaymentState } from './payment';

/**
 * Model classes bound to one service instance's knex. Binding subclasses rather than the base
 * classes keeps two ordering instances in one process (tests, embedded restarts) apart.
 */
export function bindModels(db: Knex) {
  return { Order: Order.bindKnex(db), OrderItem: OrderItem.bindKnex(db), Payment: Payment.bindKnex(db) };
}

export type OrderingModels = ReturnType<typeof bindModels>;
