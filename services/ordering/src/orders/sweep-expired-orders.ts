import {
  runNamed,
  withPooledConnection,
  type NamedStatement,
  type PooledConnection,
  type ServiceCaller,
} from '@ticketpro/shared';
import type { Knex } from 'knex';
import type { OrderingRuntime } from '../runtime';
import { LAPSED } from '../models/order';
import { completePayment } from '../payments/complete-payment';
import { forgetOldKeys } from '../idempotency/idempotent';
import { releaseUnitsQuietly } from './catalog-inventory';
import { cancelPendingOrders, pendingOrdersOfClosedEvents } from './cancel-event-orders';
import { moveOrder } from './order-states';

const BATCH = 100;

const ANY_LAPSED: NamedStatement = {
  name: 'orders_any_lapsed',
  text: `SELECT EXISTS (SELECT 1 FROM orders WHERE ${LAPSED}) AS lapsed`,
};

export interface SweepResult {
  expired: number;
  /** Captured payments of orders the saga had not finished, completed or refunded now. */
  settled: number;
  /** Pending orders of deleted events, cancelled now. */
  cancelled: number;
}

/**
 * Makes lapsed pending orders expired for good (reads show them expired already), with
 * `ordering.order.expired`, and releases their holds. Rows are claimed `FOR UPDATE SKIP LOCKED`,
 * so any number of instances may sweep at once, each order is expired once, and an order being
 * paid (its row locked) is left alone. A lapsed order whose payment was captured but never
 * settled (a crash mid-saga) is settled instead: completed if catalog still sells it, else
 * refunded. Cancels the pending orders of deleted events that are still pending (one placed while
 * its event was being deleted). Also forgets idempotency keys past their window.
 */
export async function sweepExpiredOrders(runtime: OrderingRuntime, call: ServiceCaller): Promise<SweepResult> {
  // At rest every answer is no. On one pooled connection the three statements cost one acquire
  // of the pool, not three: 3.9 KB/s less at rest, about 19 KB an idle sweep (docs/PERFORMANCE.md).
  // The connection is back in the pool before any work opens a transaction.
  const found = await withPooledConnection(runtime.resources.db, async (connection) => {
    await forgetOldKeys(connection);
    return { anyLapsed: await anyLapsed(connection), ofClosedEvents: await pendingOrdersOfClosedEvents(connection) };
  });
  const { expired, settled } = found.anyLapsed ? await expireLapsedOrders(runtime, call) : { expired: 0, settled: 0 };
  const cancelled = await cancelPendingOrders(runtime, call, found.ofClosedEvents);
  return { expired, settled, cancelled };
}

/** Expires (or settles) lapsed orders a batch at a time, until a batch finds fewer than a full one. */
async function expireLapsedOrders(
  runtime: OrderingRuntime,
  call: ServiceCaller,
): Promise<Pick<SweepResult, 'expired' | 'settled'>> {
  const { models, resources, logger } = runtime;
  const result = { expired: 0, settled: 0 };
  for (;;) {
    const batch = await resources.db.transaction(async (trx) => {
      const lapsed = await models.Order.query(trx)
        .modify('withLapse')
        .withGraphFetched('items')
        .whereRaw(LAPSED)
        .orderBy('expires_at')
        .limit(BATCH)
        .forUpdate()
        .skipLocked();
      const captured = await capturedPayments(
        trx,
        lapsed.map((o) => o.id),
      );
      const expired: number[] = [];
      for (const order of lapsed) {
        if (captured.has(order.id)) continue;
        await models.Payment.query(trx).where({ order_id: order.id, state: 'initiated' }).patch({ state: 'abandoned' });
        await moveOrder(trx, models, order, 'expired');
        expired.push(order.id);
      }
      return { expired, captured: [...captured.values()], seen: lapsed.length };
    });
    for (const orderId of batch.expired) await releaseUnitsQuietly(call, orderId, logger);
    for (const paymentId of batch.captured) {
      await completePayment(runtime, call, paymentId).catch((err) =>
        logger.warn({ err, paymentId }, 'settling a captured payment failed; the next sweep retries'),
      );
    }
    result.expired += batch.expired.length;
    result.settled += batch.captured.length;
    if (batch.seen < BATCH || batch.expired.length === 0) return result;
  }
}

/**
 * Whether any order may have lapsed. Every 5 s an idle instance asked this by a transaction
 * (BEGIN, objection's locking query, the captured payments of no order, COMMIT): over a third of
 * what ordering allocated at rest (docs/PERFORMANCE.md). One named statement now; it counts
 * soft-deleted and locked orders too, so when it says no, the transaction would have found
 * nothing either.
 */
async function anyLapsed(connection: PooledConnection): Promise<boolean> {
  const [answer] = (await runNamed(connection, ANY_LAPSED, [])) as { lapsed: boolean }[];
  return answer?.lapsed ?? false;
}

/** Order id → id of its captured payment, for the given orders. */
async function capturedPayments(trx: Knex.Transaction, orderIds: number[]): Promise<Map<number, number>> {
  const rows: { id: number; order_id: number }[] = await trx('payments')
    .whereIn('order_id', orderIds)
    .where('state', 'captured')
    .select('id', 'order_id');
  return new Map(rows.map((r) => [r.order_id, r.id]));
}
