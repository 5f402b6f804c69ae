import type { Knex } from 'knex';
import { adjustInventory } from '../inventory/order-holds';

/** An open offer a hold is about to claim. */
export interface OpenOffer {
  id: number;
  ticket_type_id: number;
  offered_quantity: number;
}

/**
 * The holder's open offers of the given ticket types, locked until the hold commits or rolls
 * back (as a query, for a statement that reads more with it). Taken before any ticket type's
 * row, as every other step that locks an offered entry does (leaving), so the two never wait on
 * each other crosswise.
 */
export function openOffersQuery(trx: Knex.Transaction, userId: number, ticketTypeIds: number[]): Knex.QueryBuilder {
  return trx('waitlist_entries')
    .select('id', 'ticket_type_id', 'offered_quantity')
    .where({ user_id: userId, state: 'offered' })
    .whereIn('ticket_type_id', ticketTypeIds)
    .where('offer_expires_at', '>', trx.fn.now())
    .forUpdate();
}

/** `openOffersQuery`'s rows by ticket type. */
export const offersByTicketType = (rows: OpenOffer[]): Map<number, OpenOffer> =>
  new Map(rows.map((r) => [r.ticket_type_id, { ...r, id: Number(r.id) }]));

/**
 * Hands an offer to the order placed by its user: the entry is claimed and its units leave
 * `held_quantity`, for the order's own hold to take in the same transaction. The ticket type's
 * row stays locked from here to the commit, so nobody else can take them in between; if the
 * order's hold is refused, the transaction rolls back and the offer is still open.
 */
export async function claimOffer(trx: Knex.Transaction, offer: OpenOffer, orderId: number): Promise<void> {
  await trx('waitlist_entries')
    .where('id', offer.id)
    .update({ state: 'claimed', order_id: orderId, updated_at: trx.fn.now() });
  await adjustInventory(trx, offer.ticket_type_id, { held: -offer.offered_quantity });
}
