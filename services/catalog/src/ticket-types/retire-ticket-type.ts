import type { Knex } from 'knex';
import { ConflictError } from '@ticketpro/shared';
import type { CatalogModels } from '../models';
import { reclaimExpiredHolds } from '../inventory/reclaim-expired-holds';
import { closeWaitlist } from '../waitlist/close-waitlist';

/**
 * Soft-deletes a ticket type unless units of it are sold or on live hold: one conditional UPDATE
 * on the row's own counters (after giving back expired holds), so a hold racing with it either
 * lands first and blocks the deletion, or finds the type gone. With `withHolds` (the type's event
 * is being deleted, and the orders holding its units are cancelled with it) only sold units
 * block: a confirmation racing it either sells first and blocks the deletion, or finds the type
 * gone and is refused, as catalog never sells units of a deleted type. Its waiting list is
 * closed first (open offers give their units back), so that nobody's offer blocks the deletion.
 * Resolves to false when the type was not live.
 */
export async function retireTicketType(
  trx: Knex.Transaction,
  models: CatalogModels,
  id: number,
  { withHolds = false }: { withHolds?: boolean } = {},
): Promise<boolean> {
  await trx('ticket_types').where('id', id).first('id').forNoKeyUpdate();
  await reclaimExpiredHolds(trx, id);
  await closeWaitlist(trx, id);
  const unsold = models.TicketType.query(trx).where({ id, sold_quantity: 0 });
  if (!withHolds) unsold.where('held_quantity', 0);
  if ((await unsold.softDelete()) > 0) return true;
  const blocking = await models.TicketType.query(trx).findById(id);
  if (!blocking) return false;
  const why = withHolds
    ? `"${blocking.name}" has sold tickets (paid orders) and cannot be deleted; refund them first`
    : `"${blocking.name}" has sold or held tickets and cannot be deleted`;
  throw new ConflictError(why, {
    ticket_type_id: id,
    sold_quantity: blocking.sold_quantity,
  });
}
