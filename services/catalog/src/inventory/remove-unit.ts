import type { Knex } from 'knex';
import {
  ConflictError,
  unitChangeUnder,
  type RemoveUnitParams,
  type RemoveUnitResult,
  type UnitOfOrder,
} from '@ticketpro/shared';
import { adjustInventory, assertNoPromoCode, lockOrderHolds } from './order-holds';
import { lockForOffers, offerFreedUnits } from '../waitlist/offer-freed-units';

/**
 * Gives one unit of an order's live hold back to stock: the hold row of that type shrinks by
 * one and is deleted at none (its units are all released), but the order keeps at least one
 * unit: a hold of nothing could neither be sold nor released. Repeating a `ref` answers what it gave back the first
 * time, even once the hold has moved on. The unit is offered to the waiting list first.
 */
export function removeUnit(db: Knex, params: RemoveUnitParams, offerSeconds: number): Promise<RemoveUnitResult> {
  return db.transaction(async (trx) => {
    const holds = await lockOrderHolds(trx, params.order_id);
    const applied = await unitChangeUnder<UnitOfOrder & RemoveUnitResult>(trx, 'removed_units', params.ref, params);
    if (applied) {
      return { unit_price: applied.unit_price, currency: applied.currency, quantity: applied.quantity };
    }

    assertNoPromoCode(holds, params.order_id);
    const hold = holds.find((h) => h.ticket_type_id === params.ticket_type_id && h.state === 'held' && !h.lapsed);
    if (!hold || holds.some((h) => h.state !== 'held' || h.lapsed)) {
      throw new ConflictError(`Order ${params.order_id} holds no unit of ticket type ${params.ticket_type_id}`, {
        order_id: params.order_id,
      });
    }
    if (holds.reduce((units, h) => units + h.quantity, 0) === 1) {
      throw new ConflictError(`Order ${params.order_id} holds its last unit; release the order instead`, {
        order_id: params.order_id,
      });
    }

    await lockForOffers(trx, params.ticket_type_id);
    const quantity = hold.quantity - 1;
    const row = trx('holds').where({ order_id: params.order_id, ticket_type_id: params.ticket_type_id });
    // A row of no units would break the CHECK (quantity > 0) and block the order's later steps.
    await (quantity === 0 ? row.delete() : row.update({ quantity, updated_at: trx.fn.now() }));
    await adjustInventory(trx, params.ticket_type_id, { held: -1 });
    await offerFreedUnits(trx, params.ticket_type_id, offerSeconds);
    const { ref, order_id, ticket_type_id } = params;
    const answer = { unit_price: hold.unit_price, currency: hold.currency, quantity };
    await trx('removed_units').insert({ ref, order_id, ticket_type_id, ...answer });
    return answer;
  });
}
