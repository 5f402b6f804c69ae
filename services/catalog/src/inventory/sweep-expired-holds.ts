import type { Knex } from 'knex';
import { reclaimAndOffer } from '../waitlist/offer-freed-units';

/**
 * Gives back the units of every expired hold and lapsed waiting-list offer, and offers them to
 * the next entries of each type's waiting list. Reads already ignore both; this keeps
 * `held_quantity` close to the truth and passes unclaimed offers on. Each ticket type is
 * reclaimed in its own transaction, which skips rows another sweep has locked, so any number of
 * catalog instances may sweep at once. Resolves to the units given back.
 */
export async function sweepExpiredHolds(db: Knex, offerSeconds: number): Promise<number> {
  const { rows: types } = await db.raw<{ rows: { ticket_type_id: number }[] }>(
    `SELECT ticket_type_id FROM holds WHERE state = 'held' AND expires_at <= now()
     UNION
     SELECT ticket_type_id FROM waitlist_entries WHERE state = 'offered' AND offer_expires_at <= now()
     ORDER BY ticket_type_id`,
  );
  let units = 0;
  for (const { ticket_type_id } of types) {
    units += await db.transaction((trx) => reclaimAndOffer(trx, ticket_type_id, offerSeconds));
  }
  return units;
}
