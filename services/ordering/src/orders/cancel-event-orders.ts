import type { ServiceCaller } from '@ticketpro/shared';
import type { Knex } from 'knex';
import type { OrderingRuntime } from '../runtime';
import { LAPSED } from '../models/order';
import { releaseAndCancel } from './cancel-order';
import { readOrder } from './find-order';

/**
 * Cancels the pending orders of an event catalog deleted: each releases its hold and ends
 * `cancelled` with `ordering.order.cancelled`. The event is recorded as closed first, in a
 * statement of its own: an order placed while the deletion was under way (its units held just
 * before it) may commit after this pass looked, and the expiry sweep, which cancels the pending
 * orders of every closed event, finds it there. Idempotent. Resolves to the orders cancelled.
 */
export async function cancelEventOrders(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  eventId: number,
): Promise<number> {
  await closeEvent(runtime.resources.db, eventId);
  return cancelOrdersOfClosedEvents(runtime, call, eventId);
}

/** Records that an event was deleted; a repeat changes nothing. */
export async function closeEvent(db: Knex, eventId: number): Promise<void> {
  await db('closed_events').insert({ event_id: eventId }).onConflict('event_id').ignore();
}

/**
 * Cancels the pending orders of closed events (of one, when given), each in a transaction of its
 * own under its row lock; one that stopped being pending meanwhile (paid, lapsed, cancelled) is
 * left as it is, and so is one whose units catalog sold after all. Resolves to the orders cancelled.
 */
export async function cancelOrdersOfClosedEvents(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  eventId?: number,
): Promise<number> {
  const { models, resources, logger } = runtime;
  const query = resources
    .db('orders')
    .join('closed_events', 'closed_events.event_id', 'orders.event_id')
    .where('orders.payment_status', 'pending')
    .whereNull('orders.deleted_at')
    .whereRaw(`NOT ${LAPSED}`)
    .orderBy('orders.id')
    .select('orders.id');
  if (eventId !== undefined) query.where('orders.event_id', eventId);
  const pending: { id: number }[] = await query;

  let cancelled = 0;
  for (const { id } of pending) {
    const done = await resources.db
      .transaction(async (trx) => {
        const order = (await readOrder(models, id, { trx, lock: true }))!;
        if (order.status !== 'pending') return false;
        await releaseAndCancel(trx, models, call, order);
        return true;
      })
      .catch((err) => {
        logger.warn({ err, orderId: id }, 'cancelling an order of a deleted event failed; the next sweep retries');
        return false;
      });
    if (done) cancelled++;
  }
  return cancelled;
}
