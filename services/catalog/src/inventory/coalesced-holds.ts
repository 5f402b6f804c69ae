import type { Knex } from 'knex';
import {
  GroupCommit,
  ProblemError,
  addMoney,
  iso,
  lockAllFor,
  prepared,
  type DecimalText,
  type HoldParams,
  type HoldResult,
  type Logger,
} from '@ticketpro/shared';
import { NO_DISCOUNT, assertWellFormed, holdInventory } from './hold-inventory';
import { holdRefusal } from './hold-refusal';
import {
  HOLDER_LOCK,
  HOLDINGS,
  assertHoldingsAllow,
  assertUnitsWithinLimit,
  isLimited,
  type HoldLimits,
  type Holdings,
} from './holder-limits';
import { ORDER_LOCK } from './order-holds';
import { reclaimAndOffer } from '../waitlist/offer-freed-units';

/** One order's hold waiting for its ticket type's next batch. */
interface QueuedHold {
  params: HoldParams;
  limits: HoldLimits;
  offerSeconds: number;
}

/**
 * What a batch answers for one hold: the hold, the refusal of an order the type has not enough
 * units left for, or `undefined`: neither, to be held on its own.
 */
type BatchOutcome = HoldResult | ProblemError | undefined;

/** What `holdTogether` answers for a type that is not a plain case, or no live type at all. */
const NOT_PLAIN = Symbol('not plain');

/**
 * Holds of one ticket type that arrive together, taken in one transaction and one statement
 * (group commit): under a rush on one type, N orders cost one BEGIN, one lock statement, one
 * read, one take and one COMMIT instead of N of each, and the type's row is locked once per
 * batch instead of once per order.
 *
 * Only the plain case is coalesced: one item, no promo code, an order that holds nothing yet, a
 * holder whose limits (if any) leave room for it, no open waiting-list offer of the holder's for
 * the type, a visible type of an event without a capacity. Anything else, and any order the
 * batch could not hold (too few units left, not on sale, over `max_per_order`, another event's
 * type, a batch that failed as a whole), is held by `holdInventory` on its own, which words the
 * refusal, reclaims lapsed holds when units run short and handles every case; a batch refuses
 * only an order the type has too few units left for, as a hold on its own would. Every order is
 * still all or nothing (one item, one row), units are taken in the order the holds arrived, and
 * the take's guard (with the table's CHECK) keeps them exact.
 * A hold that arrives while nothing of its type is in flight goes at once, on its own.
 *
 * A type a batch found not plain (its event has a capacity, it is hidden, or it is gone) is not
 * grouped again for `notPlainForMs`: each of its holds goes on its own at once, rather than a
 * batch per rush spending a transaction to find that out again. Only this process's batches
 * learn it, and a type changed by any catalog process (they share no feed of catalog's own
 * changes) is seen again once that time is up; until then a type made plain is held order by
 * order, which is slower, never wrong.
 */
export class CoalescedHolds {
  private readonly batches = new Map<number, { commit: GroupCommit<QueuedHold, BatchOutcome>; queued: number }>();
  /** Ticket type id → when (epoch ms) what a batch found, that the type is not plain, lapses. */
  private readonly notPlainUntil = new Map<number, number>();

  constructor(
    private readonly db: () => Knex,
    private readonly logger: () => Pick<Logger, 'warn'>,
    private readonly notPlainForMs = 30_000,
  ) {}

  async hold(params: HoldParams, limits: HoldLimits, offerSeconds: number): Promise<HoldResult> {
    const [item, ...more] = params.items;
    if (more.length > 0 || params.promo_code !== undefined || this.knownNotPlain(item.ticket_type_id)) {
      return holdInventory(this.db(), params, limits, offerSeconds);
    }
    assertWellFormed(params);
    if (isLimited(limits, params.holder)) assertUnitsWithinLimit(limits, item.quantity);
    const outcome = await this.submit(item.ticket_type_id, { params, limits, offerSeconds });
    if (outcome instanceof ProblemError) throw outcome;
    return outcome ?? holdInventory(this.db(), params, limits, offerSeconds);
  }

  /** Queues the hold in its ticket type's group; the group goes once nothing of the type is queued. */
  private async submit(ticketTypeId: number, hold: QueuedHold): Promise<BatchOutcome> {
    let batch = this.batches.get(ticketTypeId);
    if (!batch) {
      batch = { commit: new GroupCommit((holds) => this.commit(ticketTypeId, holds)), queued: 0 };
      this.batches.set(ticketTypeId, batch);
    }
    batch.queued += 1;
    try {
      return await batch.commit.submit(hold);
    } finally {
      batch.queued -= 1;
      if (batch.queued === 0) this.batches.delete(ticketTypeId);
    }
  }

  /**
   * A hold alone is held as it always was, inside the group, so that the holds arriving
   * meanwhile gather for the next batch. Several go together; an order asked for twice in one
   * batch goes on its own the second time (it then finds the first one's hold). A batch that
   * fails as a whole (a deadlock, say) rolls back and each of its orders is held on its own.
   */
  private async commit(ticketTypeId: number, holds: QueuedHold[]): Promise<PromiseSettledResult<BatchOutcome>[]> {
    if (holds.length === 1) {
      const [{ params, limits, offerSeconds }] = holds;
      const [settled] = await Promise.allSettled([holdInventory(this.db(), params, limits, offerSeconds)]);
      return [settled];
    }
    const firsts = new Map<number, QueuedHold>();
    for (const h of holds) if (!firsts.has(h.params.order_id)) firsts.set(h.params.order_id, h);
    const batch = [...firsts.values()];
    const outcomes = await holdTogether(this.db(), ticketTypeId, batch).catch((err: unknown) => {
      // Each order is then held on its own, so a failure that lasts would only show as slowness.
      this.logger().warn(
        { err, ticketTypeId, holds: batch.length },
        'a batch of holds failed; holding each on its own',
      );
      return new Map<number, BatchOutcome>();
    });
    if (outcomes === NOT_PLAIN) this.rememberNotPlain(ticketTypeId);
    return holds.map((h) => ({
      status: 'fulfilled',
      value:
        firsts.get(h.params.order_id) === h && outcomes !== NOT_PLAIN ? outcomes.get(h.params.order_id) : undefined,
    }));
  }

  private knownNotPlain(ticketTypeId: number): boolean {
    const until = this.notPlainUntil.get(ticketTypeId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.notPlainUntil.delete(ticketTypeId);
    return false;
  }

  /** Lapsed entries go too, so that types no one holds any more are not kept for ever. */
  private rememberNotPlain(ticketTypeId: number): void {
    const now = Date.now();
    for (const [id, until] of this.notPlainUntil) if (until <= now) this.notPlainUntil.delete(id);
    this.notPlainUntil.set(ticketTypeId, now + this.notPlainForMs);
  }
}

/** Per order of a batch, what decides whether the batch may hold it (`BATCH_READS`). */
interface BatchRead {
  order_id: number;
  /** The order holds something: a repeat, answered by `holdInventory`. */
  repeated: boolean;
  /** The holder has an open offer of the type, which `holdInventory` claims. */
  offered: boolean;
  /** What a limited holder holds now (`HOLDINGS`); null for a holder without limits. */
  holdings: Holdings | null;
}

/**
 * After the orders' and holders' locks: the type's event, key-share locked as a single hold
 * locks it (a change of its capacity waits for the batch), whether it is a plain case (visible
 * type, no capacity), and per order whether it holds anything yet, whether its holder has an
 * open offer of the type, and what a limited holder holds now. No row: no such live type or event.
 */
const BATCH_READS = `SELECT e.id AS event_id, (e.capacity IS NULL AND NOT tt.hidden) AS plain,
       (SELECT json_agg(json_build_object(
          'order_id', o.order_id,
          'repeated', EXISTS (SELECT 1 FROM holds h WHERE h.order_id = o.order_id),
          'offered', EXISTS (SELECT 1 FROM waitlist_entries w
            WHERE w.user_id = o.user_id AND w.ticket_type_id = tt.id AND w.state = 'offered'
              AND w.offer_expires_at > now()),
          'holdings', CASE WHEN o.limited THEN (SELECT row_to_json(x) FROM (
            ${HOLDINGS.replaceAll(':userId', 'o.user_id').replaceAll(':eventId', 'e.id')}) x) END))
        FROM jsonb_to_recordset(CAST(:orders AS jsonb)) AS o(order_id int, user_id int, limited boolean)) AS orders
     FROM ticket_types tt JOIN events e ON e.id = tt.event_id
     WHERE tt.id = :ticketTypeId AND tt.deleted_at IS NULL AND e.deleted_at IS NULL
     FOR KEY SHARE OF e`;

/**
 * Takes the units of the orders `:orders` (in their `seq` order, while they last) from one
 * ticket type and records each one's hold, in one statement. The orders granted are those whose
 * running sum of units fits what the type had left when the statement began; the UPDATE then
 * checks that sum against the row as last committed (a hold of another process may have landed
 * meanwhile): if it no longer fits, nothing is taken and no order is held. The conditions are
 * `TAKE_UNITS`' for an event without a capacity.
 */
const TAKE_FOR_BATCH = `WITH asked AS (
       SELECT a.*, sum(a.quantity) OVER (ORDER BY a.seq) AS running
       FROM jsonb_to_recordset(CAST(:orders AS jsonb))
         AS a(seq int, order_id int, quantity int, expires_at timestamptz, user_id int)
     ), granted AS (
       SELECT a.* FROM asked a JOIN ticket_types tt ON tt.id = :ticketTypeId
       WHERE a.running <= tt.quantity - tt.sold_quantity - tt.held_quantity
         AND (tt.max_per_order IS NULL OR a.quantity <= tt.max_per_order)
     ), taken AS (
       UPDATE ticket_types tt SET held_quantity = tt.held_quantity + g.units
       FROM events e, (SELECT sum(quantity) AS units FROM granted) g
       WHERE tt.id = :ticketTypeId AND tt.event_id = :eventId AND tt.deleted_at IS NULL
         AND e.id = tt.event_id AND e.deleted_at IS NULL AND e.capacity IS NULL
         AND g.units > 0 AND tt.sold_quantity + tt.held_quantity + g.units <= tt.quantity
         AND (tt.sales_start IS NULL OR tt.sales_start <= now())
         AND coalesce(tt.sales_end, e.date) > now()
       RETURNING tt.price, tt.currency
     )
     INSERT INTO holds (order_id, ticket_type_id, quantity, unit_price, currency, expires_at, user_id)
     SELECT g.order_id, :ticketTypeId, g.quantity, taken.price, taken.currency, g.expires_at, g.user_id
     FROM granted g, taken
     RETURNING order_id, quantity, unit_price, currency, expires_at, (quantity * unit_price)::text AS total`;

interface BatchHeld {
  order_id: number;
  quantity: number;
  unit_price: DecimalText;
  currency: string;
  expires_at: Date;
  total: DecimalText;
}

/**
 * Holds what it can of `holds` (one item each, all of `ticketTypeId`, each order once) in one
 * transaction: the orders' locks and then the limited holders' in one statement, each kind in
 * id order (so that two batches never wait on each other crosswise, and a single hold, which
 * takes its order's lock before its holder's, never waits on a batch that waits on it), the
 * reads in one, the take in one; then the refusals of those there are not enough units left for
 * (`refuseWhatCannotFit`). Resolves to the outcomes by order id; an order missing from it was
 * neither held nor refused. `NOT_PLAIN`: none was, the type being no plain case.
 */
async function holdTogether(
  db: Knex,
  ticketTypeId: number,
  holds: QueuedHold[],
): Promise<Map<number, BatchOutcome> | typeof NOT_PLAIN> {
  const limited = (h: QueuedHold) => isLimited(h.limits, h.params.holder);
  const ascending = (ids: number[]) => [...new Set(ids)].sort((a, b) => a - b);
  return db.transaction(async (trx) => {
    await lockAllFor(trx, [
      ...ascending(holds.map((h) => h.params.order_id)).map((id): [string, number] => [ORDER_LOCK, id]),
      ...ascending(holds.filter(limited).map((h) => h.params.holder.user_id)).map((id): [string, number] => [
        HOLDER_LOCK,
        id,
      ]),
    ]);
    const { rows } = await prepared(
      trx.raw<{ rows: { event_id: number; plain: boolean; orders: BatchRead[] }[] }>(BATCH_READS, {
        ticketTypeId,
        orders: JSON.stringify(
          holds.map((h) => ({ order_id: h.params.order_id, user_id: h.params.holder.user_id, limited: limited(h) })),
        ),
      }),
    );
    const event = rows[0];
    if (!event?.plain) return NOT_PLAIN;
    const held = new Map<number, BatchOutcome>();
    const reads = new Map(event.orders.map((read) => [read.order_id, read]));
    const fresh = holds.filter(({ params }) => {
      const read = reads.get(params.order_id);
      return read && !read.repeated && !read.offered && params.event_id === event.event_id;
    });
    const takers = withinLimits(fresh, new Map(event.orders.map((read) => [read.order_id, read.holdings])));
    if (takers.length === 0) return held;
    const { rows: taken } = await prepared(
      trx.raw<{ rows: BatchHeld[] }>(TAKE_FOR_BATCH, {
        ticketTypeId,
        eventId: event.event_id,
        orders: JSON.stringify(
          takers.map(({ params }, seq) => ({
            seq,
            order_id: params.order_id,
            quantity: params.items[0].quantity,
            expires_at: params.expires_at,
            user_id: params.holder.user_id,
          })),
        ),
      }),
    );
    for (const row of taken) {
      held.set(row.order_id, {
        order_id: row.order_id,
        expires_at: iso(row.expires_at),
        currency: row.currency,
        total_price: addMoney(row.total, NO_DISCOUNT),
        discount: NO_DISCOUNT,
        promo_code: null,
        items: [
          { ticket_type_id: ticketTypeId, quantity: row.quantity, unit_price: row.unit_price, discount: NO_DISCOUNT },
        ],
      });
    }
    const leftOut = takers.filter(({ params }) => !held.has(params.order_id));
    if (leftOut.length > 0) {
      for (const [orderId, refusal] of await refuseWhatCannotFit(trx, ticketTypeId, event.event_id, leftOut)) {
        held.set(orderId, refusal);
      }
    }
    return held;
  });
}

/**
 * Of the orders a batch's take left out, those asking for more units than the type has left
 * now, refused as a hold on its own refuses them (`holdRefusal`), after giving back the type's
 * lapsed holds as it does: if that freed any units, nothing is refused here and they are all
 * held on their own. So a rush on a sold-out type costs a batch, not a transaction per buyer.
 * An order that would fit what is left is not refused (it is held on its own).
 */
async function refuseWhatCannotFit(
  trx: Knex.Transaction,
  ticketTypeId: number,
  eventId: number,
  leftOut: QueuedHold[],
): Promise<Map<number, ProblemError>> {
  const refused = new Map<number, ProblemError>();
  if ((await reclaimAndOffer(trx, ticketTypeId, leftOut[0].offerSeconds, { eventId, capacity: null })) > 0) {
    return refused;
  }
  const { left } = await trx('ticket_types')
    .where('id', ticketTypeId)
    .first<{ left: number }>(trx.raw('quantity - sold_quantity - held_quantity AS left'));
  for (const { params } of leftOut) {
    const [item] = params.items;
    if (item.quantity > left) refused.set(params.order_id, await holdRefusal(trx, eventId, item, 0));
  }
  return refused;
}

/**
 * The holds a limited holder's limits leave room for, counting the earlier holds of the batch
 * as if all were taken (one that is not only makes a later one go on its own, where it is
 * counted again): a new order each, and its units of the event.
 */
function withinLimits(holds: QueuedHold[], holdings: Map<number, Holdings | null>): QueuedHold[] {
  const counted = new Map<number, Holdings>();
  return holds.filter(({ params, limits }) => {
    const now = holdings.get(params.order_id);
    if (!now) return true;
    const before = counted.get(params.holder.user_id) ?? now;
    const units = params.items[0].quantity;
    try {
      assertHoldingsAllow(limits, before, { eventId: params.event_id, units, newOrder: true });
    } catch {
      return false;
    }
    counted.set(params.holder.user_id, { orders: before.orders + 1, units: before.units + units });
    return true;
  });
}
