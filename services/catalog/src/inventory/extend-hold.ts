import type { Knex } from 'knex';
import { ConflictError, iso, type ExtendedHold, type ExtendHoldParams } from '@ticketpro/shared';
import { lockOrderHolds } from './order-holds';

/**
 * Keeps an order's live hold until at least `seconds` from now (a payment the buyer confirms on
 * the phone is awaited), never shortening it. A hold that lapsed, was released or sold cannot be
 * kept: 409.
 */
export function extendHold(db: Knex, { order_id: orderId, seconds }: ExtendHoldParams): Promise<ExtendedHold> {
  return db.transaction(async (trx) => {
    const holds = await lockOrderHolds(trx, orderId);
    if (holds.length === 0 || holds.some((h) => h.state !== 'held' || h.lapsed)) {
      throw new ConflictError(`Order ${orderId} holds nothing live to keep`, { order_id: orderId });
    }
    const [row] = await trx('holds')
      .where('order_id', orderId)
      .update({
        expires_at: trx.raw('greatest(expires_at, now() + make_interval(secs => ?))', [seconds]),
        updated_at: trx.fn.now(),
      })
      .returning('expires_at');
    return { order_id: orderId, expires_at: iso(row.expires_at) };
  });
}
