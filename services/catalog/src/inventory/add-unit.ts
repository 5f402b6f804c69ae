import type { Knex } from 'knex';
import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  unitChangeUnder,
  type AddUnitParams,
  type AddUnitResult,
  type UnitOfOrder,
} from '@ticketpro/shared';
import { takeUnits } from './hold-inventory';
import { lockEventForHold } from './event-capacity';
import { holdRefusal } from './hold-refusal';
import { assertWithinHoldLimits, type HoldLimits } from './holder-limits';
import { assertNoPromoCode, lockOrderHolds } from './order-holds';
import { reclaimAndOffer } from '../waitlist/offer-freed-units';

/**
 * Holds one more unit for an order whose hold is live, with the same conditional UPDATE (and
 * event lock) as a hold, into the order's hold row of that type (a new row for a new type). The added unit is
 * priced as the order's other units of the type, so one item keeps one price. It counts
 * against what the holder may hold unpaid, as a hold does. Repeating a `ref` answers what it
 * added the first time, even once the hold has moved on. Units freed by lapsed holds and offers
 * go to the waiting list before it.
 */
export function addUnit(
  db: Knex,
  params: AddUnitParams,
  limits: HoldLimits,
  offerSeconds: number,
): Promise<AddUnitResult> {
  return db.transaction(async (trx) => {
    const holds = await lockOrderHolds(trx, params.order_id);
    const applied = await unitChangeUnder<UnitOfOrder & AddUnitResult>(trx, 'added_units', params.ref, params);
    if (applied) {
      return { unit_price: applied.unit_price, currency: applied.currency, quantity: applied.quantity };
    }

    const lost = holds.find((h) => h.state !== 'held' || h.lapsed);
    if (holds.length === 0 || lost) {
      const why = !lost ? 'never held anything' : lost.state === 'held' ? 'expired' : lost.state;
      throw new ConflictError(`The hold of order ${params.order_id} is not live: ${why}`, {
        order_id: params.order_id,
      });
    }
    assertNoPromoCode(holds, params.order_id);
    const { event_id: eventId } = await trx('ticket_types').where('id', holds[0].ticket_type_id).first('event_id');
    await assertWithinHoldLimits(trx, limits, params.holder, { eventId, units: 1, newOrder: false });
    const existing = holds.find((h) => h.ticket_type_id === params.ticket_type_id);
    const quantity = (existing?.quantity ?? 0) + 1;

    const event = await lockEventForHold(trx, eventId, [{ ticket_type_id: params.ticket_type_id, quantity: 1 }]);
    // A hidden type is sold only with a code that unlocks it, and an order with a code takes no unit more.
    if (event?.hidden.length) throw new NotFoundError(`Ticket type ${params.ticket_type_id} not found`);
    // The event (and with a capacity its ticket types) is locked already: reclaim within that scope.
    const scope = event && { eventId, capacity: event.capacity };
    await reclaimAndOffer(trx, params.ticket_type_id, offerSeconds, scope);
    const taken = await takeUnits(trx, eventId, params.ticket_type_id, 1, quantity);
    if (!taken) {
      throw await holdRefusal(trx, eventId, { ticket_type_id: params.ticket_type_id, quantity }, 0);
    }
    const currency = holds[0].currency;
    if (taken.currency !== currency) {
      throw new UnprocessableError(`Ticket type ${params.ticket_type_id} is not priced in ${currency}`, [
        { field: 'ticket_type_id', message: `must be priced in the order's currency, ${currency}` },
      ]);
    }

    const unitPrice = existing?.unit_price ?? taken.price;
    if (existing) {
      await trx('holds')
        .where({ order_id: params.order_id, ticket_type_id: params.ticket_type_id })
        .update({ quantity, updated_at: trx.fn.now() });
    } else {
      await trx('holds').insert({
        order_id: params.order_id,
        ticket_type_id: params.ticket_type_id,
        quantity,
        unit_price: unitPrice,
        currency,
        expires_at: params.expires_at,
        user_id: params.holder.user_id,
      });
    }
    const { ref, order_id, ticket_type_id } = params;
    await trx('added_units').insert({ ref, order_id, ticket_type_id, quantity, unit_price: unitPrice, currency });
    return { unit_price: unitPrice, currency, quantity };
  });
}
