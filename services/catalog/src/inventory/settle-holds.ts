import type { Knex } from 'knex';
import { ConflictError, NotFoundError, type InventoryChange } from '@ticketpro/shared';
import type { HoldState } from '../models/constants';
import { adjustInventory, lockOrderHolds, moveOrderHolds, unitsIn, type OrderHold } from './order-holds';
import { returnedUnits } from './restock-units';
import { lockForOffers, offerFreedUnits } from '../waitlist/offer-freed-units';

/**
 * Releases an order's held units (a cancelled or failed order), offering them to the waiting
 * list first. Idempotent: the answer counts every unit of the order that is back in stock,
 * however it got there; an order that never held anything has nothing to release.
 */
export function releaseHolds(db: Knex, orderId: number, offerSeconds: number): Promise<InventoryChange> {
  return db.transaction(async (trx) => {
    const holds = await lockOrderHolds(trx, orderId);
    if (holds.some((h) => h.state === 'confirmed' || h.state === 'returned')) {
      throw new ConflictError(`Order ${orderId} was sold; return its units instead`, { order_id: orderId });
    }
    if (holds.length > 0) await lockForOffers(trx, holds[0].ticket_type_id);
    await moveUnits(trx, orderId, 'held', 'released', (units) => ({ held: -units }));
    await offerToWaitlists(trx, holds, ['held'], offerSeconds);
    return { order_id: orderId, units: unitsIn(holds, ['held', 'released', 'expired']) };
  });
}

/**
 * Turns an order's held units into sold ones (the order was paid). A hold that expired or was
 * released, or whose event was deleted meanwhile, cannot be sold any more: 409, and ordering
 * refunds the payment. The sold units go onto live ticket types only, by one conditional UPDATE
 * each, so a deletion of the event racing it either waits for the sale (and is refused) or wins.
 */
export function confirmHolds(db: Knex, orderId: number): Promise<InventoryChange> {
  return db.transaction(async (trx) => {
    const holds = await lockOrderHolds(trx, orderId);
    if (holds.length === 0) throw new NotFoundError(`Order ${orderId} holds no tickets`);
    const lost = holds.find((h) => h.state !== 'confirmed' && (h.state !== 'held' || h.lapsed));
    if (lost) {
      const why = lost.state === 'held' ? 'expired' : lost.state;
      throw new ConflictError(`The hold of order ${orderId} was ${why}; its units cannot be sold`, {
        order_id: orderId,
      });
    }
    const sold = await moveUnits(trx, orderId, 'held', 'confirmed', (units) => ({ held: -units, sold: units }), {
      onlyLive: true,
    });
    if (!sold) {
      throw new ConflictError(`The event of order ${orderId} was deleted; its units cannot be sold`, {
        order_id: orderId,
      });
    }
    return { order_id: orderId, units: unitsIn(holds, ['held', 'confirmed']) };
  });
}

/**
 * Puts a refunded order's sold units back on sale, but for those a partial refund put back
 * already; the waiting list is offered them first.
 */
export function restockHolds(db: Knex, orderId: number, offerSeconds: number): Promise<InventoryChange> {
  return db.transaction(async (trx) => {
    const holds = await lockOrderHolds(trx, orderId);
    if (holds.length === 0) throw new NotFoundError(`Order ${orderId} holds no tickets`);
    if (holds.some((h) => h.state !== 'confirmed' && h.state !== 'returned')) {
      throw new ConflictError(`Order ${orderId} was not sold; release its units instead`, { order_id: orderId });
    }
    await lockForOffers(trx, holds[0].ticket_type_id);
    const moved = await moveOrderHolds(trx, orderId, 'confirmed', 'returned');
    for (const { ticket_type_id, quantity } of moved.sort((a, b) => a.ticket_type_id - b.ticket_type_id)) {
      const back = await returnedUnits(trx, orderId, ticket_type_id);
      await adjustInventory(trx, ticket_type_id, { sold: back - quantity });
    }
    await offerToWaitlists(trx, holds, ['confirmed'], offerSeconds);
    return { order_id: orderId, units: unitsIn(holds, ['confirmed', 'returned']) };
  });
}

/** Offers the units just freed from the order's holds in `states` to each type's waiting list, in type order. */
async function offerToWaitlists(
  trx: Knex.Transaction,
  holds: OrderHold[],
  states: HoldState[],
  offerSeconds: number,
): Promise<void> {
  for (const hold of holds.filter((h) => states.includes(h.state))) {
    await offerFreedUnits(trx, hold.ticket_type_id, offerSeconds);
  }
}

/**
 * Moves the order's holds between states and the units between counters, type by type in id
 * order. With `onlyLive`, stops at a deleted ticket type: resolves to false, and the caller
 * rolls back.
 */
async function moveUnits(
  trx: Knex.Transaction,
  orderId: number,
  from: HoldState,
  to: HoldState,
  delta: (units: number) => { held?: number; sold?: number },
  options: { onlyLive?: boolean } = {},
): Promise<boolean> {
  const moved = await moveOrderHolds(trx, orderId, from, to);
  for (const { ticket_type_id, quantity } of moved.sort((a, b) => a.ticket_type_id - b.ticket_type_id)) {
    if (!(await adjustInventory(trx, ticket_type_id, delta(quantity), options))) return false;
  }
  return true;
}
