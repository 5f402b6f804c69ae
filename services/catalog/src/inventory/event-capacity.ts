import type { Knex } from 'knex';
import { ConflictError } from '@ticketpro/shared';
import { reclaimEventExpiredHolds } from './reclaim-expired-holds';

/** SQL for the units sold and held across the live ticket types of an event, as of the statement's start. */
const takenUnitsOf = (eventId: string) => `(SELECT coalesce(sum(o.sold_quantity + o.held_quantity), 0)
       FROM ticket_types o WHERE o.event_id = ${eventId} AND o.deleted_at IS NULL)`;

/** `takenUnitsOf` the event `e`. */
export const EVENT_TAKEN_UNITS = takenUnitsOf('e.id');

/**
 * SQL that holds while the event `e` (`:eventId`) has room for `:quantity` more units. Without a
 * capacity it reads nothing more. With one, the units sold and held are read first as of the
 * statement's start: an event already full is refused there, without waiting for any lock (only
 * freed seats would change the answer). Then they are summed from the event's ticket type rows
 * locked in id order (as every inventory step locks them): a locked row is read as last
 * committed and stays so until the hold commits, so holds of one event take its units one after
 * the other, whatever their types. The sub-selects are not correlated (`:eventId`), so each runs
 * once, before the taking row is locked; the conditions are evaluated in the order written.
 */
export const WITHIN_CAPACITY = `(e.capacity IS NULL OR (
         ${takenUnitsOf(':eventId')} + :quantity <= e.capacity
         AND (SELECT coalesce(sum(o.units), 0) FROM (
           SELECT o.sold_quantity + o.held_quantity AS units FROM ticket_types o
           WHERE o.event_id = :eventId AND o.deleted_at IS NULL ORDER BY o.id FOR NO KEY UPDATE
         ) o) + :quantity <= e.capacity))`;

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
