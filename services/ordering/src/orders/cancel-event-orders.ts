import { queryRows, runNamed, type NamedStatement, type PooledConnection, type ServiceCaller } from '@ticketpro/shared';
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
  const { db } = runtime.resources;
  await closeEvent(db, eventId);
  const pending = await queryRows<{ id: number }>(db, PENDING_OF_CLOSED_EVENT, [eventId]);
  return cancelPendingOrders(
    runtime,
    call,
    pending.map((row) => row.id),
  );
}

/** Records that an event was deleted; a repeat changes nothing. */
export async function closeEvent(db: Knex, eventId: number): Promise<void> {
  await db('closed_events').insert({ event_id: eventId }).onConflict('event_id').ignore();
}

/** The pending orders of closed events that `scope` selects, oldest first. */
const pendingOrdersOf = (name: string, scope: string): NamedStatement => ({
  name,
  text: `SELECT orders.id FROM orders JOIN closed_events ON closed_events.event_id = orders.event_id
         WHERE ${scope} AND orders.payment_status = 'pending' AND orders.deleted_at IS NULL AND NOT ${LAPSED}
         ORDER BY orders.id`,
});

const PENDING_OF_CLOSED_EVENTS = pendingOrdersOf('orders_pending_of_closed_events', 'true');
const PENDING_OF_CLOSED_EVENT = pendingOrdersOf('orders_pending_of_closed_event', 'orders.event_id = $1');

/**
 * The pending orders of every closed event, asked by each expiry sweep (every 5 s per instance,
 * nearly always to find none) on the connection it asks its other questions on.
 */
export async function pendingOrdersOfClosedEvents(connection: PooledConnection): Promise<number[]> {
  const rows = (await runNamed(connection, PENDING_OF_CLOSED_EVENTS, [])) as { id: number }[];
  return rows.map((row) => row.id);
}

/**
 * Cancels the given pending orders of closed events, each in a transaction of its own under its
 * row lock; one that stopped being pending meanwhile (paid, lapsed, cancelled) is left as it is,
 * and so is one whose units catalog sold after all. Resolves to the orders cancelled.
 */
export async function cancelPendingOrders(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  ids: number[],
): Promise<number> {
  const { models, resources, logger } = runtime;
  let cancelled = 0;
  for (const id of ids) {
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
