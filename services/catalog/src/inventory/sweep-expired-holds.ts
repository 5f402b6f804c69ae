import type { Knex } from 'knex';
import { reclaimExpiredHolds } from './reclaim-expired-holds';

/**
 * Gives back the units of every expired hold. Reads already ignore expired holds; this keeps
 * `held_quantity` close to the truth. Each ticket type is reclaimed in its own statement, which
 * skips holds another sweep has locked, so any number of catalog instances may sweep at once.
 * Resolves to the units given back.
 */
export async function sweepExpiredHolds(db: Knex): Promise<number> {
  const types: { ticket_type_id: number }[] = await db('holds')
    .distinct('ticket_type_id')
    .where('state', 'held')
    .where('expires_at', '<=', db.fn.now())
    .orderBy('ticket_type_id');
  let units = 0;
  for (const { ticket_type_id } of types) units += await reclaimExpiredHolds(db, ticket_type_id);
  return units;
}
