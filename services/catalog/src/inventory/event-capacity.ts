import type { Knex } from 'knex';
import { ConflictError } from '@ticketpro/shared';
import { reclaimEventExpiredHolds } from './reclaim-expired-holds';

/** SQL for the units sold and held across the live ticket types of the event `e`. */
export const EVENT_TAKEN_UNITS = `(SELECT coalesce(sum(o.sold_quantity + o.held_quantity), 0)
       FROM ticket_types o WHERE o.event_id = e.id AND o.deleted_at IS NULL)`;

/** How an event stands for a hold, read under the hold's key-share lock (`EVENT_FOR_HOLD`'s row). */
export interface EventForHold {
  capacity: number | null;
  /** Seats its capacity leaves, counting lapsed holds not yet reclaimed; null without a capacity. */
  seats_left: number | string | null;
  lapsed_holds: boolean;
  /** The hold's ticket types that are hidden. */
  hidden: number[];
}

/** The event as a hold found it: its capacity, and which of the hold's ticket types are hidden. */
export interface HeldEvent {
  capacity: number | null;
  hidden: number[];
}

/**
 * The event a hold of the ticket types `:ids` takes from, key-share locked: a lock holds do not
 * wait on each other for but a change of the capacity does (`lockEventForCapacityChange`), so
 * the capacity a hold read stays the event's until the hold commits. No row: no such live event.
 */
export const EVENT_FOR_HOLD = `SELECT e.capacity, e.capacity - ${EVENT_TAKEN_UNITS} AS seats_left,
       EXISTS (SELECT 1 FROM holds h JOIN ticket_types tt ON tt.id = h.ticket_type_id
         WHERE tt.event_id = e.id AND h.state = 'held' AND h.expires_at <= now()) AS lapsed_holds,
       ARRAY(SELECT tt.id FROM ticket_types tt
         WHERE tt.event_id = e.id AND tt.hidden AND tt.id = ANY(:ids)) AS hidden
     FROM events e WHERE e.id = :eventId AND e.deleted_at IS NULL
     FOR KEY SHARE`;

/** `EVENT_FOR_HOLD`'s bindings for a hold of `items`. */
export const eventForHoldBindings = (eventId: number, items: { ticket_type_id: number }[]) => ({
  eventId,
  ids: items.map((item) => item.ticket_type_id),
});

/**
 * Locks the event for a hold of `items` and resolves to its capacity and which of the items'
 * ticket types are hidden (undefined: no such live event); see `holdEventAsRead`.
 */
export async function lockEventForHold(
  trx: Knex.Transaction,
  eventId: number,
  items: { ticket_type_id: number; quantity: number }[],
): Promise<HeldEvent | undefined> {
  const { rows } = await trx.raw<{ rows: EventForHold[] }>(EVENT_FOR_HOLD, eventForHoldBindings(eventId, items));
  return holdEventAsRead(trx, eventId, items, rows[0]);
}

/**
 * The rest of a hold's claim on its event, once `EVENT_FOR_HOLD` read it (`event`; undefined: no
 * such live event): with a capacity, its ticket types are locked too (`lockEventTicketTypes`). A
 * hold the event has no room for is refused here, before the take would queue for the event's
 * ticket types (waiting only frees seats), so that once an event is full its refusals do not
 * wait behind the holds still landing.
 */
export async function holdEventAsRead(
  trx: Knex.Transaction,
  eventId: number,
  items: { quantity: number }[],
  event: EventForHold | undefined,
): Promise<HeldEvent | undefined> {
  if (!event) return undefined;
  const units = items.reduce((sum, item) => sum + item.quantity, 0);
  const { capacity, hidden } = event;
  if (event.seats_left === null) return { capacity, hidden };
  const seatsLeft = Number(event.seats_left);
  if (seatsLeft < units && !event.lapsed_holds) throw eventSoldOut(seatsLeft, units);
  await lockEventTicketTypes(trx, eventId);
  return { capacity, hidden };
}

/**
 * Locks the event's ticket types in id order, before any of them is taken from: the take's sum
 * of the event's units then reads them as last committed and unchanged until the hold commits,
 * so holds of one event's units land one after the other, whatever their types. Locked here,
 * in one order, rather than by the take itself: a take locks its own type first, and locking
 * the others from inside it let two holds wait on each other crosswise (deadlocks).
 */
export async function lockEventTicketTypes(trx: Knex.Transaction, eventId: number): Promise<void> {
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
