import type { Knex } from 'knex';
import { iso, type WaitlistEntry, type WaitlistPosition } from '@ticketpro/shared';

/** An open entry as read: waiting, or offered with the offer still open. */
export interface OpenEntryRow {
  id: number;
  ticket_type_id: number;
  user_id: number;
  quantity: number;
  state: 'waiting' | 'offered';
  offered_quantity: number | null;
  offer_expires_at: Date | null;
  created_at: Date;
  /** Place among the waiting entries of the type, 1 being next; null for an offer. */
  position: number | null;
}

/**
 * The open entries of one ticket type with their places in line. An offer past its expiry is
 * no longer open, swept or not, as availability reads count it; the place of a waiting entry
 * counts the waiting entries before it, so it is the same whoever reads it.
 */
export function openEntries(db: Knex, ticketTypeId: number) {
  return db
    .with('open', (q) =>
      q
        .from('waitlist_entries')
        .select(
          'id',
          'ticket_type_id',
          'user_id',
          'quantity',
          'state',
          'offered_quantity',
          'offer_expires_at',
          'created_at',
          db.raw(
            "CASE WHEN state = 'waiting' THEN (row_number() OVER (PARTITION BY state ORDER BY id))::int END AS position",
          ),
        )
        .where('ticket_type_id', ticketTypeId)
        .whereRaw("(state = 'waiting' OR (state = 'offered' AND offer_expires_at > now()))"),
    )
    .from('open');
}

/** The caller's own entry as the API shows it. */
export function toWaitlistPosition(row: OpenEntryRow): WaitlistPosition {
  return {
    ticket_type_id: row.ticket_type_id,
    quantity: row.quantity,
    state: row.state,
    position: row.position,
    offer:
      row.state === 'offered' && row.offered_quantity !== null && row.offer_expires_at !== null
        ? { quantity: row.offered_quantity, expires_at: iso(row.offer_expires_at) }
        : null,
    joined_at: iso(row.created_at),
  };
}

/** An entry as the event's organizer sees it: whose it is, too. */
export function toWaitlistEntry(row: OpenEntryRow): WaitlistEntry {
  return { id: Number(row.id), user_id: row.user_id, ...toWaitlistPosition(row) };
}
