import type { Knex } from 'knex';

/**
 * Marks one ticket type's expired holds `expired` and its lapsed waiting-list offers `lapsed`,
 * and takes their units off `held_quantity`, in one statement. Rows another transaction has
 * locked (a sweep, a release, a claim) are skipped: that transaction accounts for them, so no
 * unit is given back twice and nothing waits on them. Resolves to the units given back; the
 * caller passes them on to the waiting list (`reclaimAndOffer`) unless the type is going away.
 */
export async function reclaimExpiredHolds(db: Knex, ticketTypeId: number): Promise<number> {
  const { rows } = await db.raw<{ rows: { units: number }[] }>(
    `WITH expired AS (
       SELECT id FROM holds
       WHERE ticket_type_id = :ticketTypeId AND state = 'held' AND expires_at <= now()
       FOR UPDATE SKIP LOCKED
     ), marked AS (
       UPDATE holds SET state = 'expired', updated_at = now()
       WHERE id IN (SELECT id FROM expired)
       RETURNING quantity
     ), lapsing AS (
       SELECT id FROM waitlist_entries
       WHERE ticket_type_id = :ticketTypeId AND state = 'offered' AND offer_expires_at <= now()
       FOR UPDATE SKIP LOCKED
     ), lapsed AS (
       UPDATE waitlist_entries SET state = 'lapsed', updated_at = now()
       WHERE id IN (SELECT id FROM lapsing)
       RETURNING offered_quantity AS quantity
     ), reclaimed AS (
       SELECT (SELECT coalesce(sum(quantity), 0) FROM marked)::int
            + (SELECT coalesce(sum(quantity), 0) FROM lapsed)::int AS units
     )
     UPDATE ticket_types SET held_quantity = held_quantity - reclaimed.units
     FROM reclaimed
     WHERE ticket_types.id = :ticketTypeId AND reclaimed.units > 0
     RETURNING reclaimed.units`,
    { ticketTypeId },
  );
  return rows[0]?.units ?? 0;
}
