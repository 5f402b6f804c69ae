import type { Knex } from 'knex';
import { ConflictError } from '@ticketpro/shared';
import type { CatalogModels } from '../models';
import { reclaimExpiredHolds } from '../inventory/reclaim-expired-holds';

/**
 * Soft-deletes a ticket type unless units of it are sold or on live hold: one conditional UPDATE
 * on the row's own counters (after giving back expired holds), so a hold racing with it either
 * lands first and blocks the deletion, or finds the type gone. Resolves to false when the type
 * was not live.
 */
export async function retireTicketType(trx: Knex.Transaction, models: CatalogModels, id: number): Promise<boolean> {
  await reclaimExpiredHolds(trx, id);
  const deleted = await models.TicketType.query(trx).where({ id, sold_quantity: 0, held_quantity: 0 }).softDelete();
  if (deleted > 0) return true;
  const blocking = await models.TicketType.query(trx).findById(id);
  if (!blocking) return false;
  throw new ConflictError(`"${blocking.name}" has sold or held tickets and cannot be deleted`, {
    ticket_type_id: id,
    sold_quantity: blocking.sold_quantity,
  });
}
