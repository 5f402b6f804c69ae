import type { Knex } from 'knex';

/**
 * Marks the expired holds the scope selects `expired` and takes their units off their ticket
 * types' `held_quantity`, in one statement. Holds another transaction has locked (a sweep, a
 * release) are skipped: that transaction accounts for them, so no unit is given back twice and
 * nothing waits on them.
 */
const reclaimIn = (scope: string) => `WITH expired AS (
       SELECT id FROM holds h
       WHERE ${scope} AND h.state = 'held' AND h.expires_at <= now()
       FOR UPDATE SKIP LOCKED
     ), marked AS (
       UPDATE holds SET state = 'expired', updated_at = now()
       WHERE id IN (SELECT id FROM expired)
       RETURNING ticket_type_id, quantity
     ), reclaimed AS (
       SELECT ticket_type_id, sum(quantity)::int AS units FROM marked GROUP BY ticket_type_id
     )
     UPDATE ticket_types SET held_quantity = held_quantity - reclaimed.units
     FROM reclaimed
     WHERE ticket_types.id = reclaimed.ticket_type_id
     RETURNING reclaimed.units`;

const OF_TICKET_TYPE = reclaimIn('h.ticket_type_id = :id');
const OF_EVENT = reclaimIn('h.ticket_type_id IN (SELECT tt.id FROM ticket_types tt WHERE tt.event_id = :id)');

async function reclaim(db: Knex, sql: string, id: number): Promise<number> {
  const { rows } = await db.raw<{ rows: { units: number }[] }>(sql, { id });
  return rows.reduce((sum, row) => sum + row.units, 0);
}

/** Gives back one ticket type's expired holds; resolves to the units given back. */
export const reclaimExpiredHolds = (db: Knex, ticketTypeId: number) => reclaim(db, OF_TICKET_TYPE, ticketTypeId);

/** Gives back the expired holds of every ticket type of the event; resolves to the units given back. */
export const reclaimEventExpiredHolds = (db: Knex, eventId: number) => reclaim(db, OF_EVENT, eventId);
