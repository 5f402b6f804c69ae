import type { Knex } from 'knex';
import { Order } from './order';
import { OrderItem } from './order-item';
import { Payment } from './payment';

export { Order, OrderItem, Payment };
export type { PaymentKind, PaymentState } from './constants';

// Tables without a model, and why raw SQL serves them better:
// - idempotency_keys: claimed, leased and answered by conditional upserts keyed on (user, key)
//   (src/idempotency); no row is changed as an object.
// - added_units, removed_units: write-once receipts of unit references, looked up and summed
//   inside the statements that apply them (src/orders/add-order-unit.ts, remove-order-unit.ts).
// - refunded_tickets: write-once rows, one per ticket refunded, looked up and counted by the
//   refund (src/orders/refund-order.ts).
// - closed_events: a set of event ids, inserted once and joined against (src/orders/cancel-event-orders.ts).
// - outbox, processed_events: the shared kit's (shared/src/events), the same in every service.

/**
 * Model classes bound to one service instance's knex. Binding subclasses rather than the base
 * classes keeps two ordering instances in one process (tests, embedded restarts) apart.
 */
export function bindModels(db: Knex) {
  return { Order: Order.bindKnex(db), OrderItem: OrderItem.bindKnex(db), Payment: Payment.bindKnex(db) };
}

export type OrderingModels = ReturnType<typeof bindModels>;
