import type { Knex } from 'knex';
import { iso } from '@ticketpro/shared';
import { catalogEvents } from '../domain-events';
import { lockEventTicketTypes } from '../inventory/event-capacity';
import { reclaimEventExpiredHolds, reclaimExpiredHolds } from '../inventory/reclaim-expired-holds';

/** The units an offer may come from: one ticket type's, or with a capacity, its event's. */
export interface OfferScope {
  eventId: number;
  capacity: number | null;
}

interface FreeType {
  id: number;
  free: number;
}

interface Offered {
  id: number;
  ticket_type_id: number;
  user_id: number;
  offered_quantity: number;
  offer_expires_at: Date;
}

/**
 * Locks what offering the type's free units needs, in the order holds lock it: the event's row
 * (key share: its capacity stays as read, as for a hold), then, when the event has a capacity,
 * every ticket type of the event in id order, since units freed on one type free seats for the
 * others. Steps that free units call it before they touch a ticket type, so that their own
 * changes of the counters come after these locks, never before. Taking it again is a no-op.
 */
export async function lockForOffers(trx: Knex.Transaction, ticketTypeId: number): Promise<OfferScope | undefined> {
  const { rows } = await trx.raw<{ rows: { id: number; capacity: number | null }[] }>(
    `SELECT e.id, e.capacity FROM events e JOIN ticket_types tt ON tt.event_id = e.id
      WHERE tt.id = :ticketTypeId FOR KEY SHARE OF e`,
    { ticketTypeId },
  );
  const event = rows[0];
  if (!event) return undefined;
  if (event.capacity !== null) await lockEventTicketTypes(trx, event.id);
  return { eventId: event.id, capacity: event.capacity };
}

/**
 * Sets free units aside for the waiting list, first come first served: waiting entries in join
 * order are each offered what they asked for, or what is left (the last one offered may get
 * fewer), until no unit or no entry is left. Free is what the ticket type's quantity leaves, and
 * with an event capacity no more than the event's seats left: then the waiting entries of all
 * the event's types compete, in join order, for the seats (an entry whose own type has nothing
 * free is passed over). Offered units go onto `held_quantity` in the transaction that freed them,
 * so nobody else can take them in between, and the CHECK on the counters covers them. Each offer
 * records `catalog.waitlist.offered`.
 *
 * The ticket types' row locks come first (`lockForOffers`, and the type's own without a
 * capacity): they order this with holds, joins and other offers, so two transactions never offer
 * the same units. Waiting entries are then locked in join order; one being left meanwhile drops
 * out of the batch, hence the loop. Nothing is offered of a deleted type or event, or once sales
 * have ended. Resolves to the units offered.
 */
export async function offerFreedUnits(
  trx: Knex.Transaction,
  ticketTypeId: number,
  offerSeconds: number,
): Promise<number> {
  const scope = await lockForOffers(trx, ticketTypeId);
  if (!scope) return 0;
  if (scope.capacity === null) await trx('ticket_types').where('id', ticketTypeId).first('id').forNoKeyUpdate();
  let offered = 0;
  for (;;) {
    const { types, seats } = await freeUnits(trx, scope, ticketTypeId);
    const open = types.filter((t) => t.free > 0);
    if (open.length === 0 || seats <= 0) return offered;
    const free = new Map(open.map((t) => [t.id, t.free]));
    const waiting: { id: number; ticket_type_id: number; quantity: number }[] = await trx('waitlist_entries')
      .select('id', 'ticket_type_id', 'quantity')
      .whereIn('ticket_type_id', [...free.keys()])
      .where('state', 'waiting')
      .orderBy('id')
      .limit(
        Math.min(
          seats,
          [...free.values()].reduce((a, b) => a + b, 0),
        ),
      )
      .forUpdate();
    if (waiting.length === 0) return offered;

    let seatsLeft = seats;
    const offers: { id: number; quantity: number }[] = [];
    for (const entry of waiting) {
      const quantity = Math.min(entry.quantity, free.get(entry.ticket_type_id) ?? 0, seatsLeft);
      if (quantity <= 0) continue;
      offers.push({ id: Number(entry.id), quantity });
      free.set(entry.ticket_type_id, (free.get(entry.ticket_type_id) ?? 0) - quantity);
      seatsLeft -= quantity;
      if (seatsLeft === 0) break;
    }
    if (offers.length === 0) return offered;
    const made = await makeOffers(trx, offers, offerSeconds);
    if (made.length === 0) continue;
    const byType = new Map<number, number>();
    for (const o of made) byType.set(o.ticket_type_id, (byType.get(o.ticket_type_id) ?? 0) + o.offered_quantity);
    for (const [typeId, units] of [...byType].sort(([a], [b]) => a - b)) {
      await trx('ticket_types')
        .where('id', typeId)
        .update({ held_quantity: trx.raw('held_quantity + ?', [units]) });
      offered += units;
    }
    for (const offer of made.sort((a, b) => a.id - b.id)) {
      await catalogEvents.record(trx, 'catalog.waitlist.offered', {
        entry_id: offer.id,
        ticket_type_id: offer.ticket_type_id,
        event_id: scope.eventId,
        user_id: offer.user_id,
        quantity: offer.offered_quantity,
        expires_at: iso(offer.offer_expires_at),
      });
    }
  }
}

/** What the scope's live, on-sale ticket types have free, and the event's seats left (unbounded without a capacity). */
async function freeUnits(
  trx: Knex.Transaction,
  scope: OfferScope,
  ticketTypeId: number,
): Promise<{ types: FreeType[]; seats: number }> {
  const { rows } = await trx.raw<{ rows: (FreeType & { on_sale: boolean; taken: number })[] }>(
    `SELECT tt.id, tt.quantity - tt.sold_quantity - tt.held_quantity AS free,
            tt.sold_quantity + tt.held_quantity AS taken,
            (e.deleted_at IS NULL AND coalesce(tt.sales_end, e.date) > now()) AS on_sale
       FROM ticket_types tt JOIN events e ON e.id = tt.event_id
      WHERE tt.deleted_at IS NULL AND ${scope.capacity === null ? 'tt.id = :ticketTypeId' : 'tt.event_id = :eventId'}`,
    { ticketTypeId, eventId: scope.eventId },
  );
  const seats =
    scope.capacity === null ? Number.MAX_SAFE_INTEGER : scope.capacity - rows.reduce((sum, r) => sum + r.taken, 0);
  return { types: rows.filter((r) => r.on_sale), seats };
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
      RETURNING w.id, w.ticket_type_id, w.user_id, w.offered_quantity, w.offer_expires_at`,
    { offers: JSON.stringify(offers), seconds: offerSeconds },
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/**
 * Gives back the type's expired holds and lapsed offers (with an event capacity, the event's),
 * and offers what that freed, and anything else free, to the waiting list: a lapsed offer passes
 * on to the next entry. A hold, which has taken `lockForOffers`' locks already
 * (`lockEventForHold`), passes the scope they gave it. Resolves to the units given back.
 */
export async function reclaimAndOffer(
  trx: Knex.Transaction,
  ticketTypeId: number,
  offerSeconds: number,
  locked?: OfferScope,
): Promise<number> {
  const scope = locked ?? (await lockForOffers(trx, ticketTypeId));
  if (!scope) return 0;
  const reclaimed =
    scope.capacity === null
      ? await reclaimExpiredHolds(trx, ticketTypeId)
      : await reclaimEventExpiredHolds(trx, scope.eventId);
  if (reclaimed > 0) await offerFreedUnits(trx, ticketTypeId, offerSeconds);
  return reclaimed;
}

/** Offers what each live ticket type of the event has free (its capacity was raised or lifted). */
export async function offerEventUnits(trx: Knex.Transaction, eventId: number, offerSeconds: number): Promise<void> {
  const types: { id: number }[] = await trx('ticket_types')
    .where('event_id', eventId)
    .whereNull('deleted_at')
    .orderBy('id')
    .select('id');
  for (const { id } of types) await offerFreedUnits(trx, id, offerSeconds);
}
