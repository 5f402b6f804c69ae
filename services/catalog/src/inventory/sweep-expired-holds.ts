import { queryRows, type NamedStatement } from '@ticketpro/shared';
import type { Knex } from 'knex';
import { reclaimAndOffer } from '../waitlist/offer-freed-units';

/**
 * Asked every 5 s per instance, nearly always to find nothing: a named statement straight through
 * the driver, not knex's runner and its query and response processing (docs/PERFORMANCE.md).
 */
const TYPES_WITH_LAPSED: NamedStatement = {
  name: 'ticket_types_with_lapsed_holds',
  text: `SELECT ticket_type_id FROM holds WHERE state = 'held' AND expires_at <= now()
         UNION
         SELECT ticket_type_id FROM waitlist_entries WHERE state = 'offered' AND offer_expires_at <= now()
         ORDER BY ticket_type_id`,
};

/**
 * Gives back the units of every expired hold and lapsed waiting-list offer, and offers them to
 * the next entries of each type's waiting list. Reads already ignore both; this keeps
 * `held_quantity` close to the truth and passes unclaimed offers on. Each ticket type is
 * reclaimed in its own transaction, which skips rows another sweep has locked, so any number of
 * catalog instances may sweep at once. Resolves to the units given back.
 */
export async function sweepExpiredHolds(db: Knex, offerSeconds: number): Promise<number> {
  const types = await queryRows<{ ticket_type_id: number }>(db, TYPES_WITH_LAPSED, []);
  let units = 0;
  for (const { ticket_type_id } of types) {
    units += await db.transaction((trx) => reclaimAndOffer(trx, ticket_type_id, offerSeconds));
  }
  return units;
}
