import { NotFoundError, type AuthUser } from '@ticketpro/shared';
import type { CatalogRuntime } from '../runtime';
import { adjustInventory } from '../inventory/order-holds';
import { lockForOffers, offerFreedUnits } from './offer-freed-units';

/**
 * Takes the caller off a ticket type's waiting list. An open offer is declined: its units leave
 * `held_quantity` and pass on to the next entry in the same transaction. An offer past its expiry
 * that the sweep has not reached yet is given back the same way (the entry's lock keeps the
 * sweep off it, so its units are not given back twice). 404 when the caller has no open entry.
 */
export async function leaveWaitlist(catalog: CatalogRuntime, caller: AuthUser, id: number): Promise<void> {
  const { resources, config } = catalog;
  await resources.db.transaction(async (trx) => {
    // The entry's lock before the ticket type's row, as a hold claiming the offer takes them.
    const entry: { id: number; state: string; offered_quantity: number | null } | undefined = await trx(
      'waitlist_entries',
    )
      .where({ ticket_type_id: id, user_id: caller.id })
      .whereIn('state', ['waiting', 'offered'])
      .forUpdate()
      .first('id', 'state', 'offered_quantity');
    if (!entry) throw new NotFoundError(`You are not on the waiting list of ticket type ${id}`);
    await trx('waitlist_entries').where('id', entry.id).update({ state: 'left', updated_at: trx.fn.now() });
    if (entry.state === 'offered' && entry.offered_quantity) {
      await lockForOffers(trx, id);
      await adjustInventory(trx, id, { held: -entry.offered_quantity });
      await offerFreedUnits(trx, id, config.WAITLIST_OFFER_SECONDS);
    }
  });
}
