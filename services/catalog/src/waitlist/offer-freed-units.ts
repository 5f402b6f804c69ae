import type { Knex } from 'knex';
import { iso } from '@ticketpro/shared';
import { catalogEvents } from '../domain-events';
import { reclaimExpiredHolds } from '../inventory/reclaim-expired-holds';

interface FreeUnits {
  event_id: number;
  free: number;
}

interface Offered {
  id: number;
  user_id: number;
  offered_quantity: number;
  offer_expires_at: Date;
}

/**
 * Sets the ticket type's free units aside for its waiting list, first come first served: each
 * entry in join order is offered what it asked for, or what is left (the last one offered may
 * get fewer), until no unit or no entry is left. Offered units go onto `held_quantity` in the
 * same transaction as whatever freed them, so nobody else can take them in between, and the
 * CHECK on the counters covers them. Each offer records `catalog.waitlist.offered`.
 *
 * The ticket type's row lock comes first: it orders this with holds, joins and other offers of
 * the type, so two transactions never offer the same units. Waiting entries are then locked in
 * join order; one being left meanwhile drops out of the batch, hence the loop. Nothing is offered
 * for a deleted type or event, or once sales have ended. Resolves to the units offered.
 */
export async function offerFreedUnits(
  trx: Knex.Transaction,
  ticketTypeId: number,
  offerSeconds: number,
): Promise<number> {
  let offered = 0;
  for (;;) {
    const { rows } = await trx.raw<{ rows: FreeUnits[] }>(
      `SELECT tt.event_id, tt.quantity - tt.sold_quantity - tt.held_quantity AS free
         FROM ticket_types tt JOIN events e ON e.id = tt.event_id
        WHERE tt.id = :ticketTypeId AND tt.deleted_at IS NULL AND e.deleted_at IS NULL
          AND coalesce(tt.sales_end, e.date) > now()
        FOR UPDATE OF tt`,
      { ticketTypeId },
    );
    const type = rows[0];
    if (!type || type.free <= 0) return offered;
    const waiting: { id: number; quantity: number }[] = await trx('waitlist_entries')
      .select('id', 'quantity')
      .where({ ticket_type_id: ticketTypeId, state: 'waiting' })
      .orderBy('id')
      .limit(type.free)
      .forUpdate();
    if (waiting.length === 0) return offered;

    let free = type.free;
    const offers: { id: number; quantity: number }[] = [];
    for (const entry of waiting) {
      if (free === 0) break;
      const quantity = Math.min(entry.quantity, free);
      offers.push({ id: entry.id, quantity });
      free -= quantity;
    }
    const made = await makeOffers(trx, offers, offerSeconds);
    const units = made.reduce((sum, o) => sum + o.offered_quantity, 0);
    await trx('ticket_types')
      .where('id', ticketTypeId)
      .update({ held_quantity: trx.raw('held_quantity + ?', [units]) });
    for (const offer of made.sort((a, b) => a.id - b.id)) {
      await catalogEvents.record(trx, 'catalog.waitlist.offered', {
        entry_id: offer.id,
        ticket_type_id: ticketTypeId,
        event_id: type.event_id,
        user_id: offer.user_id,
        quantity: offer.offered_quantity,
        expires_at: iso(offer.offer_expires_at),
      });
    }
    offered += units;
  }
}

/** One statement for the whole batch: the entries become offers of the given units. */
async function makeOffers(
  trx: Knex.Transaction,
  offers: { id: number; quantity: number }[],
  offerSeconds: number,
): Promise<Offered[]> {
  const { rows } = await trx.raw<{ rows: Offered[] }>(
    `UPDATE waitlist_entries w
        SET state = 'offered', offered_quantity = o.quantity, offered_at = now(),
            offer_expires_at = now() + make_interval(secs => :seconds), updated_at = now()
       FROM jsonb_to_recordset(CAST(:offers AS jsonb)) AS o(id bigint, quantity int)
      WHERE w.id = o.id AND w.state = 'waiting'
      RETURNING w.id, w.user_id, w.offered_quantity, w.offer_expires_at`,
    { offers: JSON.stringify(offers), seconds: offerSeconds },
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/**
 * Gives back the type's expired holds and lapsed offers, and offers what that freed (and
 * anything else free) to the waiting list: a lapsed offer passes on to the next entry.
 * Resolves to the units given back.
 */
export async function reclaimAndOffer(
  trx: Knex.Transaction,
  ticketTypeId: number,
  offerSeconds: number,
): Promise<number> {
  const reclaimed = await reclaimExpiredHolds(trx, ticketTypeId);
  if (reclaimed > 0) await offerFreedUnits(trx, ticketTypeId, offerSeconds);
  return reclaimed;
}
