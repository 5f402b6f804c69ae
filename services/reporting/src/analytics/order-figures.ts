import type { Knex } from 'knex';
import { decimalNumber, decimalText, type CurrencyAmount } from '@ticketpro/shared';
import { KEPT_STATUSES } from '../models/constants';
import { inScope, scopeBindings, type Scope } from './scope';

const kept = KEPT_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * Common table expressions every figure is computed from, for orders in the scope (binds
 * `scopeBindings`):
 * - `sold`: each order ever paid with what it counts for: `kept` (paid and not refunded in
 *   full), `revenue` (what was paid less every refund: 0 once refunded in full), `tickets`
 *   (units less those refunded). Partial refunds are added up per order before the join, so an
 *   order's money is never multiplied by the number of its refunds or tickets.
 * - `refunds`: every refund with its money, currency and instant: each partial refund, and the
 *   final refund of an order refunded in full (its total less its partial refunds).
 */
export const ORDER_FIGURES = `
  partial AS (
    SELECT order_id, sum(amount) AS amount, sum(tickets)::int AS tickets FROM partial_refunds GROUP BY order_id
  ),
  sold AS (
    SELECT o.order_id, o.user_id, o.event_id, o.currency, o.payment_method, o.paid_at,
           o.payment_status IN (${kept}) AS kept,
           CASE WHEN o.payment_status IN (${kept}) THEN o.total_price - coalesce(p.amount, 0) ELSE 0 END AS revenue,
           CASE WHEN o.payment_status IN (${kept}) THEN o.units - coalesce(p.tickets, 0) ELSE 0 END AS tickets,
           CASE WHEN o.payment_status = 'refunded' THEN o.total_price - coalesce(p.amount, 0) END AS final_refund,
           o.refunded_at, o.as_of
      FROM orders o LEFT JOIN partial p ON p.order_id = o.order_id
     WHERE o.paid_at IS NOT NULL AND ${inScope('o')}
  ),
  refunds AS (
    SELECT o.event_id, o.currency, r.amount, r.refunded_at AS at
      FROM partial_refunds r JOIN sold o ON o.order_id = r.order_id
    UNION ALL
    SELECT event_id, currency, final_refund, coalesce(refunded_at, as_of) FROM sold WHERE final_refund IS NOT NULL
  )`;

/** Money summed by Postgres as text with two decimals, for `money()`. */
export const moneyText = (expression: string) => `(${expression})::numeric(20,2)::text`;

/** An exact amount Postgres summed, as the JSON number of its decimal text. */
export const money = (text: string): number => decimalNumber(decimalText(text));

/** Rows of `{currency, amount}` (amount from `moneyText`), by currency. */
export const amounts = (rows: { currency: string; amount: string }[]): CurrencyAmount[] =>
  rows.map((r) => ({ currency: r.currency, amount: money(r.amount) }));

/** Runs `select` after the figures' expressions, over the orders in `scope`. */
export async function queryFigures<Row>(
  db: Knex,
  scope: Scope,
  select: string,
  bindings: readonly Knex.RawBinding[] = [],
): Promise<Row[]> {
  const { rows } = await db.raw(`WITH ${ORDER_FIGURES} ${select}`, [...scopeBindings(scope), ...bindings]);
  return rows as Row[];
}

/** A period of `days` days ending at `end`. */
export function periodOf(days: number, end = new Date()): { start: Date; end: Date } {
  return { start: new Date(end.getTime() - days * 86_400_000), end };
}
