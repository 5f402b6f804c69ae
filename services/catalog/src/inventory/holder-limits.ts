import type { Knex } from 'knex';
import { ConflictError, lockFor, UnprocessableError, type Config, type Holder } from '@ticketpro/shared';

/** What one user may hold unpaid at once; 0 means no limit. */
export interface HoldLimits {
  pendingOrders: number;
  unitsPerEvent: number;
}

export const holdLimitsOf = (config: Config): HoldLimits => ({
  pendingOrders: config.MAX_PENDING_ORDERS_PER_USER,
  unitsPerEvent: config.MAX_PENDING_UNITS_PER_EVENT,
});

/** The advisory lock a limited holder's holds are counted under, one after the other. */
export const HOLDER_LOCK = 'catalog.inventory.holder';

/** Whether `holder`'s holds are counted against `limits` at all (admins are exempt). */
export const isLimited = (limits: HoldLimits, holder: Holder): boolean =>
  !holder.exempt && (limits.pendingOrders > 0 || limits.unitsPerEvent > 0);

/** What the holder holds now: orders with a live hold, and live units of the event. */
export const HOLDINGS = `SELECT count(DISTINCT h.order_id)::int AS orders,
       coalesce(sum(h.quantity) FILTER (WHERE tt.event_id = :eventId), 0)::int AS units
  FROM holds h JOIN ticket_types tt ON tt.id = h.ticket_type_id
  WHERE h.user_id = :userId AND h.state = 'held' AND h.expires_at > now()`;

/** `HOLDINGS`' row. */
export interface Holdings {
  orders: number;
  units: number;
}

export interface HoldRequest {
  eventId: number;
  /** Units the hold takes. */
  units: number;
  /** Whether the hold starts an order (a unit added to an order's hold does not). */
  newOrder: boolean;
}

/** Refuses, before anything is read, a hold of more units than one user may hold of an event. */
export function assertUnitsWithinLimit(limits: HoldLimits, units: number): void {
  const { unitsPerEvent } = limits;
  if (unitsPerEvent > 0 && units > unitsPerEvent) {
    throw new UnprocessableError(`One account may hold at most ${unitsPerEvent} unpaid units of an event`, [
      { field: 'items', message: `must add up to at most ${unitsPerEvent} units` },
    ]);
  }
}

/**
 * Refuses a hold that would take its holder past what one user may hold unpaid (OWASP API6),
 * given what they hold now: `holdings`, read after `HOLDER_LOCK` was taken in the caller's
 * transaction, so that two holds of one user at once are counted one after the other and cannot
 * both pass on the same figures; other users never wait for it. Only live holds count, so a
 * paid, released or lapsed order frees its share at once.
 */
export function assertHoldingsAllow(limits: HoldLimits, holdings: Holdings, request: HoldRequest): void {
  const { unitsPerEvent, pendingOrders } = limits;
  const { orders, units } = holdings;
  if (request.newOrder && pendingOrders > 0 && orders >= pendingOrders) {
    throw new ConflictError(
      `You already have ${orders} unpaid orders, the most one account may have: pay or cancel one first`,
      { limit: pendingOrders, pending_orders: orders },
    );
  }
  if (unitsPerEvent > 0 && units + request.units > unitsPerEvent) {
    throw new ConflictError(
      `You already hold ${units} unpaid units of this event and one account may hold at most ${unitsPerEvent}: ` +
        `${request.units} more cannot be held until you pay or cancel an order`,
      { limit: unitsPerEvent, held: units, asked: request.units },
    );
  }
}

/**
 * `assertHoldingsAllow` with its own lock and read, for a step that has nothing else to read
 * with them (a unit added to an order's hold). Admins are exempt.
 */
export async function assertWithinHoldLimits(
  trx: Knex.Transaction,
  limits: HoldLimits,
  holder: Holder,
  request: HoldRequest,
): Promise<void> {
  if (!isLimited(limits, holder)) return;
  assertUnitsWithinLimit(limits, request.units);
  await lockFor(trx, HOLDER_LOCK, holder.user_id);
  const { rows } = await trx.raw<{ rows: Holdings[] }>(HOLDINGS, { userId: holder.user_id, eventId: request.eventId });
  assertHoldingsAllow(limits, rows[0], request);
}
