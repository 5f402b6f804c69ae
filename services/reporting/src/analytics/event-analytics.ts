import type { Knex } from 'knex';
import {
  iso,
  NotFoundError,
  pageOf,
  type EventAnalytics,
  type EventAnalyticsDetail,
  type EventAnalyticsPage,
  type ListEventAnalyticsQuery,
} from '@ticketpro/shared';
import type { ReportingRuntime } from '../runtime';
import { readClock } from '../projections/clock';
import { amounts, queryFigures, moneyText } from './order-figures';
import { dailySales } from './sales';
import type { Scope } from './scope';

interface EventRow {
  event_id: number;
  event_name: string;
  organizer_id: number;
  date: Date;
  capacity: number;
}

/** The seats: the live ticket types' quantities, or the event's own capacity where that is fewer. */
const EVENT_COLUMNS = `e.event_id, e.event_name, e.organizer_id, e.date,
  least((SELECT coalesce(sum(quantity), 0)::int FROM ticket_types t WHERE t.event_id = e.event_id AND NOT t.deleted),
        e.capacity) AS capacity`;

/** The figures of each of `events` (all of them in `scope`), all time. */
async function figuresOf(db: Knex, scope: Scope, events: EventRow[]): Promise<EventAnalytics[]> {
  const ids = events.map((e) => e.event_id);
  const revenue = await queryFigures<{
    event_id: number;
    currency: string;
    amount: string;
    orders: number;
    tickets: number;
  }>(
    db,
    scope,
    `SELECT event_id, currency, ${moneyText('sum(revenue)')} AS amount,
            count(*) FILTER (WHERE kept)::int AS orders, sum(tickets)::int AS tickets
       FROM sold WHERE event_id = ANY(?::int[]) GROUP BY event_id, currency ORDER BY currency`,
    [ids],
  );
  const refunds = await queryFigures<{ event_id: number; currency: string; amount: string; count: number }>(
    db,
    scope,
    `SELECT event_id, currency, ${moneyText('sum(amount)')} AS amount, count(*)::int AS count
       FROM refunds WHERE event_id = ANY(?::int[]) GROUP BY event_id, currency ORDER BY currency`,
    [ids],
  );
  const { rows: admitted }: { rows: { event_id: number; checked_in: number }[] } = await db.raw(
    `SELECT event_id, count(*)::int AS checked_in FROM tickets
      WHERE event_id = ANY(?::int[]) AND checked_in_at IS NOT NULL AND status <> 'void' GROUP BY event_id`,
    [ids],
  );

  return events.map((event) => {
    const sales = revenue.filter((r) => r.event_id === event.event_id && (r.orders > 0 || r.tickets > 0));
    const refunded = refunds.filter((r) => r.event_id === event.event_id);
    const sold = sales.reduce((sum, r) => sum + r.tickets, 0);
    return {
      event_id: event.event_id,
      event_name: event.event_name,
      organizer_id: event.organizer_id,
      date: iso(event.date),
      total_revenue: amounts(sales),
      total_orders: sales.reduce((sum, r) => sum + r.orders, 0),
      total_tickets_sold: sold,
      capacity: event.capacity,
      available_tickets: Math.max(event.capacity - sold, 0),
      capacity_percentage: event.capacity === 0 ? 0 : Math.min(Math.round((sold * 10_000) / event.capacity) / 100, 100),
      checked_in: admitted.find((a) => a.event_id === event.event_id)?.checked_in ?? 0,
      refunds: { count: refunded.reduce((sum, r) => sum + r.count, 0), amounts: amounts(refunded) },
    };
  });
}

/** `GET /admin/analytics/events`: a page of the events in scope, latest date first, with their figures. */
export async function listEventAnalytics(
  { resources }: ReportingRuntime,
  scope: Scope,
  { skip, limit }: ListEventAnalyticsQuery,
): Promise<EventAnalyticsPage> {
  const db = resources.db;
  const asOf = await readClock(db);
  const query = db('events as e').where((q) => {
    if (scope.organizerId !== null) q.where('e.organizer_id', scope.organizerId);
  });
  const [{ count }] = await query.clone().count<{ count: string | number }[]>({ count: '*' });
  const events: EventRow[] = await query
    .select(db.raw(EVENT_COLUMNS))
    .orderBy([
      { column: 'e.date', order: 'desc' },
      { column: 'e.event_id', order: 'desc' },
    ])
    .offset(skip)
    .limit(limit);
  const page = pageOf(await figuresOf(db, scope, events), Number(count), { skip, limit });
  return { ...page, as_of: iso(asOf) };
}

/**
 * `GET /admin/analytics/events/{id}`: one event's figures and its sales per day. An event outside
 * the caller's scope is answered as one unknown (404), so its existence is not told either.
 */
export async function readEventAnalytics(
  { resources }: ReportingRuntime,
  scope: Scope,
  eventId: number,
): Promise<EventAnalyticsDetail> {
  const db = resources.db;
  const asOf = await readClock(db);
  const event: EventRow | undefined = await db('events as e')
    .where('e.event_id', eventId)
    .where((q) => {
      if (scope.organizerId !== null) q.where('e.organizer_id', scope.organizerId);
    })
    .first(db.raw(EVENT_COLUMNS));
  if (!event) throw new NotFoundError(`Event ${eventId} not found`);
  const [figures] = await figuresOf(db, scope, [event]);
  return { ...figures, sales_per_day: await dailySales(db, scope, { eventId }), as_of: iso(asOf) };
}
