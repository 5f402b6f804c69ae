import type { Knex } from 'knex';
import { ConflictError, iso, lockFor, type DecimalText, type HoldResult } from '@ticketpro/shared';
import type { HoldState } from '../models/constants';

/** One ticket type of an order's hold, as the inventory actions read it. */
export interface OrderHold {
  ticket_type_id: number;
  quantity: number;
  unit_price: DecimalText;
  /** Off the line, by the order's promo code. */
  discount: DecimalText;
  /** The promo code the order used, if any. */
  promo_code_id: number | null;
  currency: string;
  expires_at: Date;
  state: HoldState;
  /** Past its expiry by the database's clock, whether or not it was swept yet. */
  lapsed: boolean;
}

/** The advisory lock every inventory action on one order takes first. */
export const ORDER_LOCK = 'catalog.inventory.order';

/**
 * Takes the order's lock, then its holds, locked. Every inventory action on one order holds the
 * lock (a repeated call waits for the first and finds its result), and the row locks keep the
 * sweep and other orders' reclaims off these holds until the transaction ends.
 */
export async function lockOrderHolds(trx: Knex.Transaction, orderId: number): Promise<OrderHold[]> {
  await lockFor(trx, ORDER_LOCK, orderId);
  return trx('holds')
    .select(
      'ticket_type_id',
      'quantity',
      'unit_price',
      'discount',
      'promo_code_id',
      'currency',
      'expires_at',
      'state',
      trx.raw('expires_at <= now() AS lapsed'),
    )
    .where('order_id', orderId)
    .orderBy('ticket_type_id')
    .forUpdate();
}

/** Moves the order's holds from one state to another; resolves to those moved. */
export async function moveOrderHolds(
  trx: Knex.Transaction,
  orderId: number,
  from: HoldState,
  to: HoldState,
): Promise<{ ticket_type_id: number; quantity: number }[]> {
  return trx('holds')
    .where({ order_id: orderId, state: from })
    .update({ state: to, updated_at: trx.fn.now() })
    .returning(['ticket_type_id', 'quantity']);
}

/**
 * Changes a ticket type's counters by the given deltas; the CHECK constraint guards the result.
 * With `onlyLive`, a deleted type is left alone: resolves to whether the row was changed.
 */
export async function adjustInventory(
  trx: Knex.Transaction,
  ticketTypeId: number,
  delta: { held?: number; sold?: number },
  { onlyLive = false }: { onlyLive?: boolean } = {},
): Promise<boolean> {
  const query = trx('ticket_types').where('id', ticketTypeId);
  if (onlyLive) query.whereNull('deleted_at');
  const changed = await query.update({
    held_quantity: trx.raw('held_quantity + ?', [delta.held ?? 0]),
    sold_quantity: trx.raw('sold_quantity + ?', [delta.sold ?? 0]),
  });
  return changed > 0;
}

/** Units of the holds in the given states. */
export function unitsIn(holds: OrderHold[], states: HoldState[]): number {
  return holds.filter((h) => states.includes(h.state)).reduce((sum, h) => sum + h.quantity, 0);
}

/** The order's hold as ordering sees it; the totals are summed by Postgres in NUMERIC. */
export async function holdResult(trx: Knex.Transaction, orderId: number, holds: OrderHold[]): Promise<HoldResult> {
  const { total, discount, code } = await trx('holds as h')
    .leftJoin('promo_codes as pc', 'pc.id', 'h.promo_code_id')
    .where('h.order_id', orderId)
    .first(
      trx.raw('sum(h.quantity * h.unit_price - h.discount)::text AS total'),
      trx.raw('sum(h.discount)::text AS discount'),
      trx.raw('max(pc.code) AS code'),
    );
  return {
    order_id: orderId,
    expires_at: iso(holds[0].expires_at),
    currency: holds[0].currency,
    total_price: total,
    discount,
    promo_code: code,
    items: holds.map((h) => ({
      ticket_type_id: h.ticket_type_id,
      quantity: h.quantity,
      unit_price: h.unit_price,
      discount: h.discount,
    })),
  };
}

/**
 * An order priced with a promo code is changed whole only: its discount was rounded per line
 * and its code's use counted once, so a unit more or less would leave both wrong.
 */
export function assertNoPromoCode(holds: OrderHold[], orderId: number): void {
  if (holds.some((h) => h.promo_code_id !== null)) {
    throw new ConflictError(
      `Order ${orderId} used a promo code and cannot be changed unit by unit; cancel it and order again`,
      { order_id: orderId },
    );
  }
}
