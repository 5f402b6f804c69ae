import type { Knex } from 'knex';

/**
 * Closes a ticket type's waiting list as the type is deleted: waiting entries and open offers
 * become `lapsed`, and the offered units leave `held_quantity`, so that offers do not keep the
 * type from being deleted. The caller holds the type's row lock; an offer another transaction
 * has locked (its user's order claiming it that instant) is skipped and becomes that order's
 * hold, which then blocks the deletion as any live hold does. Runs in the deletion's
 * transaction: a refused deletion rolls it back.
 */
export async function closeWaitlist(trx: Knex.Transaction, ticketTypeId: number): Promise<void> {
  await trx.raw(
    `WITH open AS (
       SELECT id FROM waitlist_entries
       WHERE ticket_type_id = :ticketTypeId AND state IN ('waiting', 'offered')
       FOR UPDATE SKIP LOCKED
     ), closed AS (
       UPDATE waitlist_entries w SET state = 'lapsed', updated_at = now()
       FROM open WHERE w.id = open.id
       RETURNING coalesce(w.offered_quantity, 0) AS units
     )
     UPDATE ticket_types SET held_quantity = held_quantity - (SELECT coalesce(sum(units), 0) FROM closed)
     WHERE id = :ticketTypeId`,
    { ticketTypeId },
  );
}
