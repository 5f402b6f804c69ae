import type { Knex } from 'knex';
import { iso, type SalesAnalytics } from '@ticketpro/shared';
import type { ReportingRuntime } from '../runtime';
import { readClock } from '../projections/clock';
import { money, moneyText, periodOf, queryFigures } from './order-figures';
import type { Scope } from './scope';

/** Which orders and refunds a breakdown covers: a period, an event, or both. */
interface Filter {
  start?: Date;
  end?: Date;
  eventId?: number;
}

/** SQL conditions (and their bindings) on a row's instant `at` and its event. */
function conditions(at: string, { start, end, eventId }: Filter): { sql: string; bindings: Knex.RawBinding[] } {
  const parts: string[] = ['true'];
  const bindings: Knex.RawBinding[] = [];
  const add = (sql: string, value: Knex.RawBinding) => {
    parts.push(sql);
    bindings.push(value);
  };
  if (start) add(`${at} >= ?`, start);
  if (end) add(`${at} <= ?`, end);
  if (eventId !== undefined) add('event_id = ?', eventId);
  return { sql: parts.join(' AND '), bindings };
}

/**
 * Orders paid (by the day and currency they were paid in) and refunds (by the day and currency
 * they were made in) side by side: each row of the union is one of the two, so neither multiplies
 * the other.
 */
function salesAndRefunds(filter: Filter, key: string) {
  const paid = conditions('paid_at', filter);
  const refunded = conditions('at', filter);
  return {
    sql: `SELECT ${key} AS key, currency, sum(revenue) AS revenue, count(*) FILTER (WHERE kept) AS orders,
                 sum(tickets) AS tickets, 0 AS refunds
            FROM sold WHERE ${paid.sql} GROUP BY 1, 2
          UNION ALL
          SELECT ${key.replace('paid_at', 'at')}, currency, 0, 0, 0, sum(amount) FROM refunds WHERE ${refunded.sql} GROUP BY 1, 2`,
    bindings: [...paid.bindings, ...refunded.bindings],
  };
}

interface Breakdown {
  key: string;
  currency: string;
  revenue: string;
  orders: number;
  tickets: number;
  refunds: string;
  average: string;
}

async function breakdown(db: Knex, scope: Scope, filter: Filter, key: string): Promise<Breakdown[]> {
  const union = salesAndRefunds(filter, key);
  return queryFigures<Breakdown>(
    db,
    scope,
    `SELECT key, currency, ${moneyText('sum(revenue)')} AS revenue, sum(orders)::int AS orders,
            sum(tickets)::int AS tickets, ${moneyText('sum(refunds)')} AS refunds,
            ${moneyText('coalesce(round(sum(revenue) / nullif(sum(orders), 0), 2), 0)')} AS average
       FROM (${union.sql}) figures GROUP BY key, currency ORDER BY key, currency`,
    union.bindings,
  );
}

/** Money kept, orders, tickets, average order and refunds of a period, per currency. */
export async function salesByCurrency(db: Knex, scope: Scope, start: Date, end: Date) {
  const rows = await breakdown(db, scope, { start, end }, "'all'");
  return rows.map((r) => ({
    currency: r.currency,
    revenue: money(r.revenue),
    orders: r.orders,
    tickets_sold: r.tickets,
    // Rounded to the cent by Postgres, half away from zero.
    average_order_value: money(r.average),
    refunds: money(r.refunds),
  }));
}

/** Per day (UTC) and currency, oldest first: money kept from the orders paid, and refunds made. */
export async function dailySales(db: Knex, scope: Scope, filter: Filter): Promise<SalesAnalytics['daily']> {
  const rows = await breakdown(db, scope, filter, "to_char(paid_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')");
  return rows.map((r) => ({
    date: r.key,
    currency: r.currency,
    revenue: money(r.revenue),
    orders: r.orders,
    tickets_sold: r.tickets,
    refunds: money(r.refunds),
  }));
}

/** `GET /admin/analytics/sales`: the period's sales per currency and per day, of the events in scope. */
export async function readSales({ resources }: ReportingRuntime, scope: Scope, days: number): Promise<SalesAnalytics> {
  const db = resources.db;
  const asOf = await readClock(db);
  const { start, end } = periodOf(days);
  return {
    period_start: iso(start),
    period_end: iso(end),
    by_currency: await salesByCurrency(db, scope, start, end),
    daily: await dailySales(db, scope, { start, end }),
    as_of: iso(asOf),
  };
}
