import { Client } from 'pg';

/**
 * The books of one event, read straight from the services' schemas (catalog, ordering,
 * ticketing) in one REPEATABLE READ snapshot, so every side is seen at the same instant and
 * `now()` is one clock for catalog's holds and ordering's orders alike.
 */

/** One ticket type as catalog and ordering each count it. */
export interface TicketTypeBooks {
  ticket_type_id: number;
  quantity: number;
  /** Catalog: units sold. */
  sold: number;
  /** Catalog: units of holds still live (state `held`, not yet past their expiry). */
  live_held: number;
  /** Ordering: units of completed (paid) orders. */
  completed_units: number;
  /** Ordering: units of pending orders not yet past their expiry. */
  pending_units: number;
}

/** What catalog counts (sold + live holds) is what ordering's orders account for (completed + pending). */
export const isBalanced = (t: TicketTypeBooks) => t.sold + t.live_held === t.completed_units + t.pending_units;

/** Nothing in flight any more: no live hold and no pending order. */
export const isSettled = (t: TicketTypeBooks) => t.live_held === 0 && t.pending_units === 0;

export async function readBooks(databaseUrl: string, eventId: number): Promise<TicketTypeBooks[]> {
  return inSnapshot(databaseUrl, async (client) => {
    const { rows } = await client.query<TicketTypeBooks>(
      `WITH catalog_side AS (
         SELECT tt.id AS ticket_type_id, tt.quantity, tt.sold_quantity AS sold,
                coalesce(sum(h.quantity) FILTER (WHERE h.state = 'held' AND h.expires_at > now()), 0)::int AS live_held
           FROM catalog.ticket_types tt
           LEFT JOIN catalog.holds h ON h.ticket_type_id = tt.id
          WHERE tt.event_id = $1
          GROUP BY tt.id
       ), ordering_side AS (
         SELECT oi.ticket_type_id,
                coalesce(sum(oi.quantity) FILTER (WHERE o.payment_status = 'completed'), 0)::int AS completed_units,
                coalesce(sum(oi.quantity) FILTER (
                  WHERE o.payment_status = 'pending' AND o.expires_at > now() AND o.deleted_at IS NULL
                ), 0)::int AS pending_units
           FROM ordering.orders o
           JOIN ordering.order_items oi ON oi.order_id = o.id
          WHERE o.event_id = $1
          GROUP BY oi.ticket_type_id
       )
       SELECT c.ticket_type_id, c.quantity, c.sold, c.live_held,
              coalesce(o.completed_units, 0) AS completed_units, coalesce(o.pending_units, 0) AS pending_units
         FROM catalog_side c
         LEFT JOIN ordering_side o USING (ticket_type_id)
        ORDER BY c.ticket_type_id`,
      [eventId],
    );
    return rows;
  });
}

export interface TicketAudit {
  completedOrderIds: number[];
  /** Tickets of the event's orders, in any state. */
  tickets: number;
  /** Each way the tickets differ from what the orders say, as readable lines; empty when they agree. */
  mismatches: string[];
}

/**
 * Every completed order of the event has exactly one valid ticket per unit of each item, and no
 * other order has a valid or used ticket.
 */
export async function auditTickets(databaseUrl: string, eventId: number): Promise<TicketAudit> {
  return inSnapshot(databaseUrl, async (client) => {
    const { rows } = await client.query<{
      order_id: number;
      ticket_type_id: number;
      payment_status: string | null;
      ordered: number;
      valid: number;
      other: number;
    }>(
      `WITH ordered AS (
         SELECT o.id AS order_id, oi.ticket_type_id, o.payment_status::text, oi.quantity AS ordered
           FROM ordering.orders o JOIN ordering.order_items oi ON oi.order_id = o.id
          WHERE o.event_id = $1
       ), issued AS (
         SELECT order_id, ticket_type_id,
                count(*) FILTER (WHERE status IN ('valid', 'used'))::int AS valid,
                count(*) FILTER (WHERE status NOT IN ('valid', 'used'))::int AS other
           FROM ticketing.tickets
          WHERE event_id = $1
          GROUP BY order_id, ticket_type_id
       )
       SELECT coalesce(o.order_id, i.order_id) AS order_id, coalesce(o.ticket_type_id, i.ticket_type_id) AS ticket_type_id,
              o.payment_status, coalesce(o.ordered, 0) AS ordered, coalesce(i.valid, 0) AS valid, coalesce(i.other, 0) AS other
         FROM ordered o FULL JOIN issued i USING (order_id, ticket_type_id)
        ORDER BY 1, 2`,
      [eventId],
    );
    const mismatches: string[] = [];
    for (const row of rows) {
      const expected = row.payment_status === 'completed' ? row.ordered : 0;
      if (row.valid !== expected || (row.payment_status === 'completed' && row.other !== 0)) {
        mismatches.push(
          `order ${row.order_id} (${row.payment_status ?? 'unknown to ordering'}), ticket type ${row.ticket_type_id}: ` +
            `${row.ordered} ordered, ${row.valid} valid tickets, ${row.other} others`,
        );
      }
    }
    const completed = new Set(rows.filter((r) => r.payment_status === 'completed').map((r) => r.order_id));
    const tickets = rows.reduce((sum, r) => sum + r.valid + r.other, 0);
    return { completedOrderIds: [...completed], tickets, mismatches };
  });
}

/** How many of the event's orders are in each state, as ordering stores them (cancelled ones included). */
export async function orderStates(databaseUrl: string, eventId: number): Promise<Record<string, number>> {
  return inSnapshot(databaseUrl, async (client) => {
    const { rows } = await client.query<{ state: string; orders: number }>(
      `SELECT payment_status::text AS state, count(*)::int AS orders FROM ordering.orders WHERE event_id = $1 GROUP BY 1`,
      [eventId],
    );
    return Object.fromEntries(rows.map((r) => [r.state, r.orders]));
  });
}

async function inSnapshot<T>(databaseUrl: string, read: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await read(client);
    await client.query('COMMIT');
    return result;
  } finally {
    await client.end();
  }
}

/**
 * Reads until `accept` holds or `timeoutMs` passes, and answers the last reading either way, so a
 * test can print the figures it failed on.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 500,
): Promise<{ value: T; ok: boolean; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    const waitedMs = Date.now() - started;
    if (accept(value)) return { value, ok: true, waitedMs };
    if (waitedMs > timeoutMs) return { value, ok: false, waitedMs };
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** One ticket type's units as catalog counts them, waiting-list offers included. */
export interface WaitlistBooks {
  quantity: number;
  sold: number;
  /** Units of holds still live. */
  live_held: number;
  /** Units of waiting-list offers still open. */
  live_offered: number;
  /** The `held_quantity` counter, which holds and offers (live or not yet reclaimed) share. */
  held_counter: number;
  /** What the rows behind that counter add up to: holds in state `held`, entries in state `offered`. */
  held_rows: number;
  waiting: number;
}

/** Sold, held and offered units never pass the quantity, and the shared counter agrees with its rows. */
export const waitlistBooksBalance = (b: WaitlistBooks) =>
  b.sold + b.live_held + b.live_offered <= b.quantity && b.held_counter === b.held_rows;

export async function readWaitlistBooks(databaseUrl: string, ticketTypeId: number): Promise<WaitlistBooks> {
  return inSnapshot(databaseUrl, async (client) => {
    const { rows } = await client.query<WaitlistBooks>(
      `SELECT tt.quantity, tt.sold_quantity AS sold, tt.held_quantity AS held_counter,
              (SELECT coalesce(sum(quantity), 0)::int FROM catalog.holds
                WHERE ticket_type_id = tt.id AND state = 'held' AND expires_at > now()) AS live_held,
              (SELECT coalesce(sum(offered_quantity), 0)::int FROM catalog.waitlist_entries
                WHERE ticket_type_id = tt.id AND state = 'offered' AND offer_expires_at > now()) AS live_offered,
              (SELECT coalesce(sum(quantity), 0)::int FROM catalog.holds WHERE ticket_type_id = tt.id AND state = 'held')
              + (SELECT coalesce(sum(offered_quantity), 0)::int FROM catalog.waitlist_entries
                WHERE ticket_type_id = tt.id AND state = 'offered') AS held_rows,
              (SELECT count(*)::int FROM catalog.waitlist_entries WHERE ticket_type_id = tt.id AND state = 'waiting') AS waiting
         FROM catalog.ticket_types tt WHERE tt.id = $1`,
      [ticketTypeId],
    );
    return rows[0];
  });
}
