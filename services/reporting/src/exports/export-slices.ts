import type { Knex } from 'knex';
import { iso, NotFoundError, type AuthUser, type CsvSlice, type ExportSliceParams } from '@ticketpro/shared';
import type { ReportingRuntime } from '../runtime';
import { scopeOf } from '../analytics/scope';
import { readClock } from '../projections/clock';
import { toCsv } from './csv';

/**
 * The event, if the caller may export it: an admin any, an organizer their own (another's is
 * answered as unknown, 404), anyone else none (403).
 */
async function exportableEvent(db: Knex, caller: AuthUser, eventId: number): Promise<void> {
  const { organizerId } = scopeOf(caller, "an event's exports");
  const event = await db('events').where('event_id', eventId).first('organizer_id');
  if (!event || (organizerId !== null && event.organizer_id !== organizerId)) {
    throw new NotFoundError(`Event ${eventId} not found`);
  }
}

/**
 * One slice of an event's rows by id after `after`, if the caller may export the event: as CSV
 * (with the header line first), where the next starts, and the read model's clock as read before
 * the rows (they hold at least everything up to it).
 */
async function exportSlice<Row extends Record<string, unknown>>(
  { resources: { db } }: ReportingRuntime,
  caller: AuthUser,
  { id, after, limit }: ExportSliceParams,
  columns: readonly (keyof Row & string)[],
  read: (db: Knex, after: number, limit: number) => Promise<(Row & { id: number })[]>,
): Promise<CsvSlice> {
  await exportableEvent(db, caller, id);
  const asOf = await readClock(db);
  // One row beyond the slice tells whether another follows.
  const rows = await read(db, after, limit + 1);
  const rest = rows.length > limit;
  const taken = rows.slice(0, limit);
  return {
    content_type: 'text/csv',
    body: toCsv(columns, taken, after === 0),
    next_after: rest ? taken[taken.length - 1].id : null,
    as_of: iso(asOf),
  };
}

/** The account `u`'s name as one column: first name and surname, either of which may be unknown. */
const FULL_NAME = "trim(coalesce(u.firstname, '') || ' ' || coalesce(u.surname, ''))";

/** A cell of an export: text, a number, a timestamp (written as ISO text) or nothing. */
type CsvCell = string | number | Date | null;

const ORDER_COLUMNS = [
  'order_id',
  'created_at',
  'paid_at',
  'buyer_name',
  'buyer_email',
  'payment_status',
  'payment_method',
  'currency',
  'total_price',
  'refunded',
  'tickets',
] as const;

type OrderLine = Record<(typeof ORDER_COLUMNS)[number], CsvCell> & { id: number };

/** `GET /events/{id}/orders.csv`, one slice: every order of the event as the read model knows it. */
export function exportOrders(
  runtime: ReportingRuntime,
  caller: AuthUser,
  params: ExportSliceParams,
): Promise<CsvSlice> {
  return exportSlice<OrderLine>(runtime, caller, params, ORDER_COLUMNS, async (db, after, limit) => {
    const { rows }: { rows: OrderLine[] } = await db.raw(
      `SELECT o.order_id AS id, o.order_id, o.created_at, o.paid_at,
              ${FULL_NAME} AS buyer_name, u.email AS buyer_email,
              o.payment_status, o.payment_method, o.currency, o.total_price::text AS total_price,
              (CASE WHEN o.payment_status = 'refunded' THEN o.total_price
                    ELSE coalesce((SELECT sum(amount) FROM partial_refunds r WHERE r.order_id = o.order_id), 0)
               END)::numeric(12,2)::text AS refunded,
              o.units AS tickets
         FROM orders o LEFT JOIN users u ON u.user_id = o.user_id
        WHERE o.event_id = ? AND o.order_id > ?
        ORDER BY o.order_id LIMIT ?`,
      [params.id, after, limit],
    );
    return rows;
  });
}

const ATTENDEE_COLUMNS = [
  'ticket_id',
  'order_id',
  'ticket_type',
  'seat_number',
  'holder_name',
  'holder_email',
  'status',
  'checked_in_at',
] as const;

type AttendeeLine = Record<(typeof ATTENDEE_COLUMNS)[number], CsvCell> & { id: number };

/**
 * `GET /events/{id}/attendees.csv`, one slice: every ticket of the event with its type, its
 * holder (the buyer, or whom it was transferred to) and its state at the door.
 */
export function exportAttendees(
  runtime: ReportingRuntime,
  caller: AuthUser,
  params: ExportSliceParams,
): Promise<CsvSlice> {
  return exportSlice<AttendeeLine>(runtime, caller, params, ATTENDEE_COLUMNS, async (db, after, limit) => {
    const { rows }: { rows: AttendeeLine[] } = await db.raw(
      `SELECT t.ticket_id AS id, t.ticket_id, t.order_id, tt.name AS ticket_type, t.seat_number,
              ${FULL_NAME} AS holder_name, u.email AS holder_email,
              t.status, t.checked_in_at
         FROM tickets t
         LEFT JOIN orders o ON o.order_id = t.order_id
         LEFT JOIN users u ON u.user_id = coalesce(t.holder_id, o.user_id)
         LEFT JOIN ticket_types tt ON tt.id = t.ticket_type_id
        WHERE t.event_id = ? AND t.ticket_id > ?
        ORDER BY t.ticket_id LIMIT ?`,
      [params.id, after, limit],
    );
    return rows;
  });
}
