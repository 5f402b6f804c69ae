import type { Knex } from 'knex';
import { ConflictError } from '@ticketpro/shared';
import { reclaimEventExpiredHolds } from './reclaim-expired-holds';

/** SQL for the units sold and held across the live ticket types of the event `e`. */
export const EVENT_TAKEN_UNITS = `(SELECT coalesce(sum(o.sold_quantity + o.held_quantity), 0)
       FROM ticket_types o WHERE o.event_id = e.id AND o.deleted_at IS NULL)`;

/** How an event stands for a hold, read under the hold's key-share lock. */
interface EventForHold {
  capacity: number | null;
  /** Seats its capacity leaves, counting lapsed holds not yet reclaimed; null without a capacity. */
  seats_left: number | null;
  lapsed_holds: boolean;
}

/**
 * Locks the event for a hold of `units` of its units and resolves to its capacity (undefined: no
 * such live event); with a capacity, its ticket types too (`lockEventTicketTypes`). The key-share lock is one holds do not wait on each other for but a change
 * of the capacity does (`lockEventForCapacityChange`), so the capacity a hold read stays the
 * event's until the hold commits. A hold the event has no room for is refused here, before the
 * take would queue for the event's ticket types (waiting only frees seats), so that once an
 * event is full its refusals do not wait behind the holds still landing.
 */
export async function lockEventForHold(
  trx: Knex.Transaction,
  eventId: number,
  units: number,
): Promise<number | null | undefined> {
  const { rows } = await trx.raw<{ rows: EventForHold[] }>(
    `SELECT e.capacity, e.capacity - ${EVENT_TAKEN_UNITS} AS seats_left,
       EXISTS (SELECT 1 FROM holds h JOIN ticket_types tt ON tt.id = h.ticket_type_id
         WHERE tt.event_id = e.id AND h.state = 'held' AND h.expires_at <= now()) AS lapsed_holds
     FROM events e WHERE e.id = :eventId AND e.deleted_at IS NULL
     FOR KEY SHARE`,
    { eventId },
  );
  const event = rows[0];
  if (event?.seats_left == null) return event?.capacity;
  if (event.seats_left < units && !event.lapsed_holds) throw eventSoldOut(event.seats_left, units);
  await lockEventTicketTypes(trx, eventId);
  return event.capacity;
}

/**
 * Locks the event's ticket types in id order, before any of them is taken from: the take's sum
 * of the event's units then reads them as last committed and unchanged until the hold commits,
 * so holds of one event's units land one after the other, whatever their types. Locked here,
 * in one order, rather than by the take itself: a take locks its own type first, and locking
 * the others from inside it let two holds wait on each other crosswise (deadlocks).
 */
async function lockEventTicketTypes(trx: Knex.Transaction, eventId: number): Promise<void> {
  await trx('ticket_types')
    .where({ event_id: eventId })
    .whereNull('deleted_at')
    .orderBy('id')
    .select('id')
    .forNoKeyUpdate();
}

/** The refusal of a hold the event's capacity has no room for. */
export function eventSoldOut(seatsLeft: number, asked: number, ticketTypeId?: number): ConflictError {
  const left = Math.max(seatsLeft, 0);
  return new ConflictError(`The event is sold out: ${left} of its seats left, ${asked} asked`, {
    ...(ticketTypeId === undefined ? {} : { ticket_type_id: ticketTypeId }),
    available: left,
  });
}

/**
 * Locks the event against holds while its capacity changes: the update lock waits for the holds
 * under way and keeps new ones out until the change commits. Expired holds are given back
 * first, so that the units the capacity is checked against are those sold and live on hold.
 * Resolves to those units.
 */
export async function lockEventForCapacityChange(trx: Knex.Transaction, eventId: number): Promise<number> {
  await trx('events').where({ id: eventId }).first('id').forUpdate();
  await reclaimEventExpiredHolds(trx, eventId);
  const { rows } = await trx.raw<{ rows: { units: number }[] }>(
    `SELECT ${EVENT_TAKEN_UNITS}::int AS units FROM events e WHERE e.id = :eventId`,
    { eventId },
  );
  return rows[0]?.units ?? 0;
}
