import type { Knex } from 'knex';
import { iso, type Dashboard } from '@ticketpro/shared';
import type { ReportingRuntime } from '../runtime';
import { readClock } from '../projections/clock';
import { amounts, money, moneyText, periodOf, queryFigures } from './order-figures';
import { salesByCurrency } from './sales';
import type { Scope } from './scope';

const ALL: Scope = { organizerId: null };
const IN_PERIOD = 'paid_at >= ? AND paid_at <= ?';

/**
 * The admin dashboard over the last `days` days: paid money only (orders paid in the period,
 * less what was refunded), per currency, never added across currencies; user activity; the
 * events and payment methods the money came from; and the all-time totals.
 */
export async function readDashboard({ resources }: ReportingRuntime, days: number): Promise<Dashboard> {
  const db = resources.db;
  // Read first: the figures then hold at least everything up to it.
  const asOf = await readClock(db);
  const { start, end } = periodOf(days);
  const period = [start, end];

  const byCurrency = await salesByCurrency(db, ALL, start, end);

  const [users] = (
    await db.raw(
      `SELECT count(*) FILTER (WHERE NOT deleted)::int AS total_users,
              count(*) FILTER (WHERE NOT deleted AND active)::int AS active_users,
              count(*) FILTER (WHERE NOT deleted AND registered_at >= date_trunc('month', ?::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')::int
                AS new_users_this_month,
              (SELECT count(DISTINCT user_id)::int FROM orders WHERE paid_at IS NOT NULL) AS users_with_orders
         FROM users`,
      [end],
    )
  ).rows;

  const top = await queryFigures<{ event_id: number; event_name: string; orders: number; tickets: number }>(
    db,
    ALL,
    `SELECT s.event_id, coalesce(e.event_name, '') AS event_name,
            count(*) FILTER (WHERE kept)::int AS orders, sum(tickets)::int AS tickets
       FROM sold s LEFT JOIN events e ON e.event_id = s.event_id
      WHERE ${IN_PERIOD}
      GROUP BY s.event_id, e.event_name
     HAVING count(*) FILTER (WHERE kept) > 0
      ORDER BY tickets DESC, s.event_id
      LIMIT 5`,
    period,
  );

  const byEvent = await queryFigures<{
    event_id: number;
    event_name: string;
    currency: string;
    revenue: string;
    percentage: number;
  }>(
    db,
    ALL,
    `SELECT s.event_id, coalesce(e.event_name, '') AS event_name, s.currency,
            ${moneyText('sum(revenue)')} AS revenue,
            coalesce(round(100 * sum(revenue) / nullif(sum(sum(revenue)) OVER (PARTITION BY s.currency), 0), 2), 0)::float8
              AS percentage
       FROM sold s LEFT JOIN events e ON e.event_id = s.event_id
      WHERE kept AND ${IN_PERIOD}
      GROUP BY s.event_id, e.event_name, s.currency
      ORDER BY s.currency, sum(revenue) DESC, s.event_id`,
    period,
  );

  const methods = await queryFigures<{
    payment_method: Dashboard['payment_methods'][number]['payment_method'];
    currency: string;
    count: number;
    total_amount: string;
    percentage: number;
  }>(
    db,
    ALL,
    `SELECT payment_method, currency, count(*)::int AS count, ${moneyText('sum(revenue)')} AS total_amount,
            coalesce(round(100 * sum(revenue) / nullif(sum(sum(revenue)) OVER (PARTITION BY currency), 0), 2), 0)::float8
              AS percentage
       FROM sold
      WHERE kept AND payment_method IS NOT NULL AND ${IN_PERIOD}
      GROUP BY payment_method, currency
      ORDER BY currency, sum(revenue) DESC, payment_method`,
    period,
  );

  const revenueAllTime = await queryFigures<{ currency: string; amount: string; orders: number; tickets: number }>(
    db,
    ALL,
    `SELECT currency, ${moneyText('sum(revenue)')} AS amount,
            count(*) FILTER (WHERE kept)::int AS orders, sum(tickets)::int AS tickets
       FROM sold GROUP BY currency HAVING count(*) FILTER (WHERE kept) > 0 ORDER BY currency`,
  );
  const refundsAllTime = await queryFigures<{ currency: string; amount: string }>(
    db,
    ALL,
    `SELECT currency, ${moneyText('sum(amount)')} AS amount FROM refunds GROUP BY currency ORDER BY currency`,
  );
  const revenueOfTop = await eventRevenue(
    db,
    top.map((t) => t.event_id),
    period,
  );

  return {
    sales_stats: {
      total_sales: byCurrency.map((c) => ({ currency: c.currency, amount: c.revenue })),
      total_orders: byCurrency.reduce((sum, c) => sum + c.orders, 0),
      total_tickets_sold: byCurrency.reduce((sum, c) => sum + c.tickets_sold, 0),
      average_order_value: byCurrency.map((c) => ({ currency: c.currency, amount: c.average_order_value })),
      period_start: iso(start),
      period_end: iso(end),
    },
    user_activity: users,
    top_events: top.map((t) => ({
      event_id: t.event_id,
      event_name: t.event_name,
      total_orders: t.orders,
      tickets_sold: t.tickets,
      revenue: revenueOfTop.get(t.event_id) ?? [],
    })),
    revenue_by_event: byEvent.map((r) => ({ ...r, revenue: money(r.revenue) })),
    payment_methods: methods.map((m) => ({ ...m, total_amount: money(m.total_amount) })),
    totals: {
      revenue: amounts(revenueAllTime),
      refunds: amounts(refundsAllTime),
      total_orders: revenueAllTime.reduce((sum, r) => sum + r.orders, 0),
      total_tickets_sold: revenueAllTime.reduce((sum, r) => sum + r.tickets, 0),
    },
    as_of: iso(asOf),
  };
}

/** Money kept per currency for each of `eventIds` in the period. */
async function eventRevenue(db: Knex, eventIds: number[], period: Date[]) {
  const rows = await queryFigures<{ event_id: number; currency: string; amount: string }>(
    db,
    ALL,
    `SELECT event_id, currency, ${moneyText('sum(revenue)')} AS amount FROM sold
      WHERE kept AND ${IN_PERIOD} AND event_id = ANY(?::int[])
      GROUP BY event_id, currency ORDER BY currency`,
    [...period, eventIds],
  );
  const byEventId = new Map<number, ReturnType<typeof amounts>>();
  for (const row of rows) byEventId.set(row.event_id, [...(byEventId.get(row.event_id) ?? []), ...amounts([row])]);
  return byEventId;
}
