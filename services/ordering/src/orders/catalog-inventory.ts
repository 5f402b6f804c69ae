import {
  call,
  isAdmin,
  type AddUnitParams,
  type AuthUser,
  type Holder,
  type HoldParams,
  type ScopedLogger,
  type RemoveUnitParams,
  type ServiceCaller,
} from '@ticketpro/shared';

/**
 * Whose units a hold takes: the order's owner's, counted against what one user may hold unpaid,
 * unless an admin asks (admins act for the platform: box office, group sales).
 */
export const holderOf = (caller: AuthUser, ownerId: number): Holder => ({ user_id: ownerId, exempt: isAdmin(caller) });

/** Catalog's inventory steps of the saga; each is idempotent on the order id (adding or removing a unit: on its ref). */
export const holdUnits = (via: ServiceCaller, params: HoldParams) => call(via, 'catalog.inventory.hold', params);
export const releaseUnits = (via: ServiceCaller, orderId: number) =>
  call(via, 'catalog.inventory.release', { order_id: orderId });
export const confirmUnits = (via: ServiceCaller, orderId: number) =>
  call(via, 'catalog.inventory.confirm', { order_id: orderId });
export const addHeldUnit = (via: ServiceCaller, params: AddUnitParams) =>
  call(via, 'catalog.inventory.addUnit', params);
export const removeHeldUnit = (via: ServiceCaller, params: RemoveUnitParams) =>
  call(via, 'catalog.inventory.removeUnit', params);
export const restockUnits = (via: ServiceCaller, orderId: number) =>
  call(via, 'catalog.inventory.restock', { order_id: orderId });

/** A partial refund's units, one per ticket, each under its ticket's ref. */
export const restockSomeUnits = (
  via: ServiceCaller,
  orderId: number,
  units: { ref: string; ticket_type_id: number }[],
) => call(via, 'catalog.inventory.restockUnits', { order_id: orderId, units });
export const extendHold = (via: ServiceCaller, orderId: number, seconds: number) =>
  call(via, 'catalog.inventory.extendHold', { order_id: orderId, seconds });

export const eventOf = (via: ServiceCaller, eventId: number) => call(via, 'catalog.events.get', { id: eventId });

/** A refusal from catalog (the hold is gone or was sold), as opposed to catalog being unreachable. */
export function isRefusal(err: unknown): boolean {
  const code = (err as { code?: number }).code;
  return code === 404 || code === 409;
}

/**
 * Releases an order's units where the order no longer needs them (failed, expired). Best effort:
 * a hold that is not released expires in catalog on its own, so a failure is only logged.
 */
export async function releaseUnitsQuietly(via: ServiceCaller, orderId: number, logger: ScopedLogger): Promise<void> {
  await releaseUnits(via, orderId).catch((err) =>
    logger.warn({ err, orderId }, 'releasing the units failed; the hold will expire on its own'),
  );
}
