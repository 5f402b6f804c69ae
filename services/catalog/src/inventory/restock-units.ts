import type { Knex } from 'knex';
import { ConflictError, type InventoryChange, type RestockUnitsParams } from '@ticketpro/shared';
import { adjustInventory, lockOrderHolds } from './order-holds';
import { lockForOffers, offerFreedUnits } from '../waitlist/offer-freed-units';

/**
 * Puts single sold units of an order back on sale (a partial refund): each under its reference,
 * at most as many of a type as the order bought. A reference already applied returns nothing
 * again, so a retried call is harmless; the answer counts the call's units, repeats included.
 * The waiting list is offered them first.
 */
export function restockUnits(db: Knex, params: RestockUnitsParams, offerSeconds: number): Promise<InventoryChange> {
  const orderId = params.order_id;
  return db.transaction(async (trx) => {
    const holds = await lockOrderHolds(trx, orderId);
    // One order's units are of one event: its lock covers them all.
    await lockForOffers(trx, params.units[0].ticket_type_id);
    for (const unit of params.units) {
      const applied = await trx('restocked_units').where('ref', unit.ref).first();
      if (applied) {
        if (applied.order_id !== orderId || applied.ticket_type_id !== unit.ticket_type_id) {
          throw new ConflictError(`Reference ${unit.ref} was used for another unit`, { ref: unit.ref });
        }
        continue;
      }
      const hold = holds.find((h) => h.ticket_type_id === unit.ticket_type_id && h.state === 'confirmed');
      const back = await returnedUnits(trx, orderId, unit.ticket_type_id);
      if (!hold || back >= hold.quantity) {
        throw new ConflictError(`Order ${orderId} has no sold unit of ticket type ${unit.ticket_type_id} left`, {
          order_id: orderId,
        });
      }
      await trx('restocked_units').insert({ ref: unit.ref, order_id: orderId, ticket_type_id: unit.ticket_type_id });
      await adjustInventory(trx, unit.ticket_type_id, { sold: -1 });
    }
    const types = [...new Set(params.units.map((u) => u.ticket_type_id))].sort((a, b) => a - b);
    for (const ticketTypeId of types) await offerFreedUnits(trx, ticketTypeId, offerSeconds);
    return { order_id: orderId, units: params.units.length };
  });
}

/** Units of one type of an order already put back one by one. */
export async function returnedUnits(trx: Knex.Transaction, orderId: number, ticketTypeId: number): Promise<number> {
  const row = await trx('restocked_units')
    .where({ order_id: orderId, ticket_type_id: ticketTypeId })
    .first<{ count: number }>(trx.raw('count(*)::int AS count'));
  return row.count;
}
