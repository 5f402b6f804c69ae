import type { Knex } from 'knex';
import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  type FieldError,
  addMoney,
  iso,
  lockAllFor,
  prepared,
  type DecimalText,
  type HoldParams,
  type HoldResult,
} from '@ticketpro/shared';
import { applyPromoCode, reservePromoCode } from '../promo-codes/redeem-promo-code';
import { holdRefusal } from './hold-refusal';
import {
  EVENT_FOR_HOLD,
  EVENT_TAKEN_UNITS,
  eventForHoldBindings,
  holdEventAsRead,
  lockEventForHold,
  type EventForHold,
} from './event-capacity';
import {
  HOLDER_LOCK,
  HOLDINGS,
  assertHoldingsAllow,
  assertUnitsWithinLimit,
  isLimited,
  type HoldLimits,
  type Holdings,
} from './holder-limits';
import { ORDER_LOCK, holdResult, lockOrderHolds, type OrderHold } from './order-holds';
import { claimOffer, offersByTicketType, openOffersQuery, type OpenOffer } from '../waitlist/claim-offers';
import { offerFreedUnits, reclaimAndOffer } from '../waitlist/offer-freed-units';

/** A line's or an order's discount without a promo code. */
export const NO_DISCOUNT = '0.00' as DecimalText;

interface HeldRow {
  price: DecimalText;
  currency: string;
}

/**
 * Holds every item of an order, or nothing. Each ticket type is taken by one conditional
 * UPDATE that only matches while the units are there (and the type is on sale), in ticket type
 * order so that two orders never wait on each other crosswise; the CHECK constraint backs it.
 * A hold that would take its holder past `limits` is refused before anything is taken, as is
 * one whose promo code is unknown, not valid now or used up; the code's use is reserved with
 * the hold, and the total is what is left to pay once the code's discount is off.
 * Repeating the hold of an order answers the hold it already has.
 *
 * An open waiting-list offer of the holder's for an item's type is claimed by the order: its
 * units are handed to the order's hold in the same transaction (any it does not take pass on
 * to the next entry). Units freed here go to the waiting list before this order (`offerSeconds`
 * is how long such an offer lasts).
 */
export async function holdInventory(
  db: Knex,
  params: HoldParams,
  limits: HoldLimits,
  offerSeconds: number,
): Promise<HoldResult> {
  assertWellFormed(params);
  const units = params.items.reduce((sum, item) => sum + item.quantity, 0);
  const limited = isLimited(limits, params.holder);
  if (limited) assertUnitsWithinLimit(limits, units);
  return db.transaction(async (trx) => {
    await lockAllFor(trx, [
      [ORDER_LOCK, params.order_id],
      ...(limited ? [[HOLDER_LOCK, params.holder.user_id] as [string, number]] : []),
    ]);
    const read = await readForHold(trx, params, limited);
    if (read.repeated) return repeatedHold(trx, params, await lockOrderHolds(trx, params.order_id));
    if (read.holdings) assertHoldingsAllow(limits, read.holdings, { eventId: params.event_id, units, newOrder: true });
    const offers = offersByTicketType(read.offers);
    const code = await reservePromoCode(trx, params);
    const event =
      read.event === undefined
        ? await lockEventForHold(trx, params.event_id, params.items)
        : await holdEventAsRead(trx, params.event_id, params.items, read.event ?? undefined);
    if (!event) throw new NotFoundError(`Event ${params.event_id} not found`);
    const locked = event.hidden.find((id) => !code?.unlocks.includes(id));
    if (locked !== undefined) throw new NotFoundError(`Ticket type ${locked} not found`);
    const scope = { eventId: params.event_id, capacity: event.capacity };

    const inOrder = params.items
      .map((item, index) => ({ item, index }))
      .sort((a, b) => a.item.ticket_type_id - b.item.ticket_type_id);
    const held: HeldItem[] = [];
    for (const { item, index } of inOrder) {
      const offer = offers.get(item.ticket_type_id);
      if (offer) await claimOffer(trx, offer, params.order_id);
      // Units of lapsed holds and offers stay in `held_quantity` until reclaimed. Reclaiming is a
      // statement of its own, so it is done only when they are needed: when the take finds too
      // few units (of the type, or, with a capacity, of the event). What it frees goes to the
      // waiting list first.
      const row =
        (await holdItem(trx, params, item)) ??
        ((await reclaimAndOffer(trx, item.ticket_type_id, offerSeconds, scope)) > 0
          ? await holdItem(trx, params, item)
          : undefined);
      if (!row) throw await holdRefusal(trx, params.event_id, item, index);
      if (offer && offer.offered_quantity > item.quantity) {
        await offerFreedUnits(trx, item.ticket_type_id, offerSeconds);
      }
      held.push(row);
    }
    if (new Set(held.map((h) => h.currency)).size > 1) {
      throw new UnprocessableError('The items of one order must be priced in one currency', [
        { field: 'items', message: 'must all be priced in one currency' },
      ]);
    }
    const { currency } = held[0];
    const priced = code
      ? await applyPromoCode(trx, params.order_id, code, held, currency)
      : { discounts: held.map(() => NO_DISCOUNT), total: NO_DISCOUNT };
    return {
      order_id: params.order_id,
      expires_at: iso(held[0].expires_at),
      currency,
      total_price: addMoney(held[held.length - 1].order_total, priced.total, -1),
      discount: priced.total,
      promo_code: code?.code ?? null,
      items: held.map(({ ticket_type_id, quantity, unit_price }, i) => ({
        ticket_type_id,
        quantity,
        unit_price,
        discount: priced.discounts[i],
      })),
    };
  });
}

/** What a new hold reads before it takes anything (`readForHold`). */
interface HoldReads {
  /** The order holds something already: the hold is a repeat, and nothing else was read. */
  repeated: boolean;
  /** Only for a holder with limits. */
  holdings?: Holdings;
  offers: OpenOffer[];
  /** Not read (undefined) when a promo code is to be locked before it; null: no such live event. */
  event?: EventForHold | null;
}

/**
 * Everything a new hold reads before it takes units, in one statement and in the order the
 * separate reads had (each subquery runs as its column is reached): whether the order holds
 * anything yet, what a limited holder holds now, the holder's open offers of the items' types
 * (locked), and the event (key-share locked), unless a promo code names it: the code is locked
 * between the offers and the event, so the event is then read after it (`lockEventForHold`).
 * It runs after the order's and the holder's locks, so it sees every hold committed before
 * them. Once the order turns out to hold something, the rest is left unread and unlocked.
 */
async function readForHold(trx: Knex.Transaction, params: HoldParams, limited: boolean): Promise<HoldReads> {
  const ids = params.items.map((item) => item.ticket_type_id);
  const unlessRepeated = (column: string, query: string) => `CASE WHEN NOT r.repeated THEN (${query}) END AS ${column}`;
  const columns = [
    'r.repeated',
    ...(limited ? [unlessRepeated('holdings', `SELECT row_to_json(x) FROM (${HOLDINGS}) x`)] : []),
    unlessRepeated('offers', `SELECT coalesce(json_agg(o), '[]'::json) FROM :offers o`),
    ...(params.promo_code === undefined
      ? [unlessRepeated('event', `SELECT row_to_json(ev) FROM (${EVENT_FOR_HOLD}) ev`)]
      : []),
  ];
  const { rows } = await prepared(
    trx.raw<{ rows: HoldReads[] }>(
      `SELECT ${columns.join(', ')}
     FROM (SELECT EXISTS (SELECT 1 FROM holds WHERE order_id = :orderId) AS repeated) r`,
      {
        orderId: params.order_id,
        userId: params.holder.user_id,
        offers: openOffersQuery(trx, params.holder.user_id, ids),
        ...eventForHoldBindings(params.event_id, params.items),
      },
    ),
  );
  return rows[0];
}

/** Refuses a hold asking for one type twice, or expiring already (422). */
export function assertWellFormed(params: HoldParams): void {
  const errors: FieldError[] = [];
  const seen = new Set<number>();
  params.items.forEach(({ ticket_type_id }, index) => {
    if (seen.has(ticket_type_id))
      errors.push({ field: `items.${index}.ticket_type_id`, message: 'appears more than once' });
    seen.add(ticket_type_id);
  });
  if (Date.parse(params.expires_at) <= Date.now())
    errors.push({ field: 'expires_at', message: 'must be in the future' });
  if (errors.length > 0) throw new UnprocessableError('The hold request is invalid', errors);
}

/**
 * The one statement that takes units: it matches only while they are there and on sale, and,
 * for an event with a capacity, while the event's sold and held units leave room for them.
 * Those are summed from the event's ticket type rows, which its callers locked before
 * (`lockEventForHold`, which also keeps the capacity as it was read), so the sum is of units as
 * last committed and no other hold changes them until this one commits. `:orderUnits` is what the order holds of the type afterwards, checked against `max_per_order`.
 * Exported for the benchmark, whose hot-row limit is this statement run alone.
 */
export const TAKE_UNITS = `UPDATE ticket_types tt SET held_quantity = tt.held_quantity + :quantity
     FROM events e
     WHERE tt.id = :ticketTypeId AND tt.event_id = :eventId AND tt.deleted_at IS NULL
       AND e.id = tt.event_id AND e.deleted_at IS NULL
       AND tt.sold_quantity + tt.held_quantity + :quantity <= tt.quantity
       AND (e.capacity IS NULL OR ${EVENT_TAKEN_UNITS} + :quantity <= e.capacity)
       AND (tt.max_per_order IS NULL OR :orderUnits <= tt.max_per_order)
       AND (tt.sales_start IS NULL OR tt.sales_start <= now())
       AND coalesce(tt.sales_end, e.date) > now()
     RETURNING tt.price, tt.currency`;

/** Takes units without recording a hold of its own (a unit added to an order's hold). */
export async function takeUnits(
  trx: Knex.Transaction,
  eventId: number,
  ticketTypeId: number,
  quantity: number,
  orderUnits = quantity,
): Promise<HeldRow | undefined> {
  const { rows } = await trx.raw<{ rows: HeldRow[] }>(TAKE_UNITS, { ticketTypeId, eventId, quantity, orderUnits });
  return rows[0];
}

/** One item as `HOLD_ITEM` answers it. */
export interface HeldItem {
  ticket_type_id: number;
  quantity: number;
  unit_price: DecimalText;
  currency: string;
  expires_at: Date;
  /** What the order holds so far, this item included. */
  order_total: DecimalText;
}

/**
 * Takes one item's units and records its hold in one statement, so the ticket type's row stays
 * locked for no more than that statement and the commit: under a rush on one type, every
 * round trip made while holding that row is a round trip every other buyer waits for. The
 * running total comes from Postgres in NUMERIC: the holds of earlier statements plus this one
 * (a statement does not see its own insert). No row: the units were not taken.
 */
async function holdItem(
  trx: Knex.Transaction,
  params: HoldParams,
  item: HoldParams['items'][number],
): Promise<HeldItem | undefined> {
  const { rows } = await prepared(
    trx.raw<{ rows: HeldItem[] }>(HOLD_ITEM, {
      orderId: params.order_id,
      eventId: params.event_id,
      ticketTypeId: item.ticket_type_id,
      quantity: item.quantity,
      orderUnits: item.quantity,
      expiresAt: params.expires_at,
      userId: params.holder.user_id,
    }),
  );
  return rows[0];
}

/** `holdItem`'s statement; exported for the benchmark's single-process checkout. */
export const HOLD_ITEM = `WITH taken AS (${TAKE_UNITS}), held AS (
       INSERT INTO holds (order_id, ticket_type_id, quantity, unit_price, currency, expires_at, user_id)
       SELECT :orderId, :ticketTypeId, :quantity, taken.price, taken.currency, :expiresAt, :userId FROM taken
       RETURNING ticket_type_id, quantity, unit_price, currency, expires_at
     )
     SELECT held.*, ((SELECT coalesce(sum(h.quantity * h.unit_price), 0) FROM holds h WHERE h.order_id = :orderId)
       + held.quantity * held.unit_price)::text AS order_total
     FROM held`;

/** A repeat of an order's hold: the same items answer the hold it has, if that is still good. */
async function repeatedHold(trx: Knex.Transaction, params: HoldParams, existing: OrderHold[]): Promise<HoldResult> {
  const asked = [...params.items].sort((a, b) => a.ticket_type_id - b.ticket_type_id);
  const same =
    asked.length === existing.length &&
    asked.every(
      (item, i) => item.ticket_type_id === existing[i].ticket_type_id && item.quantity === existing[i].quantity,
    );
  if (!same) throw new ConflictError(`Order ${params.order_id} already holds other items`);
  const gone = existing.find((h) => (h.state === 'held' && h.lapsed) || !['held', 'confirmed'].includes(h.state));
  if (gone) {
    const why = gone.state === 'held' ? 'expired' : gone.state;
    throw new ConflictError(`The hold of order ${params.order_id} was ${why}`, { order_id: params.order_id });
  }
  return holdResult(trx, params.order_id, existing);
}
