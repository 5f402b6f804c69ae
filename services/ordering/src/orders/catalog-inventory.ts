import type {
  AddUnitParams,
  AuthUser,
  Holder,
  AddUnitResult,
  Event,
  HoldParams,
  HoldResult,
  InventoryChange,
  RemoveUnitParams,
  RemoveUnitResult,
  Logger,
  RequestContext,
} from '@ticketpro/shared';
import type { ServiceBroker } from 'moleculer';
import { isAdmin } from '../auth/caller';

/** Calls another service: through the request's context when there is one, so the request id travels. */
export type ServiceCall = <T>(action: string, params: object) => Promise<T>;

export const callsFrom = (source: RequestContext<unknown> | ServiceBroker): ServiceCall =>
  (action, params) => source.call(action, params);

/**
 * Whose units a hold takes: the order's owner's, counted against what one user may hold unpaid,
 * unless an admin asks (admins act for the platform: box office, group sales).
 */
export const holderOf = (caller: AuthUser, ownerId: number): Holder => ({ user_id: ownerId, exempt: isAdmin(caller) });

/** Catalog's inventory steps of the saga; each is idempotent on the order id (adding or removing a unit: on its ref). */
export const holdUnits = (call: ServiceCall, params: HoldParams) => call<HoldResult>('catalog.inventory.hold', params);
export const releaseUnits = (call: ServiceCall, orderId: number) =>
  call<InventoryChange>('catalog.inventory.release', { order_id: orderId });
export const confirmUnits = (call: ServiceCall, orderId: number) =>
  call<InventoryChange>('catalog.inventory.confirm', { order_id: orderId });
export const addHeldUnit = (call: ServiceCall, params: AddUnitParams) =>
  call<AddUnitResult>('catalog.inventory.addUnit', params);
export const removeHeldUnit = (call: ServiceCall, params: RemoveUnitParams) =>
  call<RemoveUnitResult>('catalog.inventory.removeUnit', params);
export const restockUnits = (call: ServiceCall, orderId: number) =>
  call<InventoryChange>('catalog.inventory.restock', { order_id: orderId });

export const eventOf = (call: ServiceCall, eventId: number) => call<Event>('catalog.events.get', { id: eventId });

/** A refusal from catalog (the hold is gone or was sold), as opposed to catalog being unreachable. */
export function isRefusal(err: unknown): boolean {
  const code = (err as { code?: number }).code;
  return code === 404 || code === 409;
}

/**
 * Releases an order's units where the order no longer needs them (failed, expired). Best effort:
 * a hold that is not released expires in catalog on its own, so a failure is only logged.
 */
export async function releaseUnitsQuietly(call: ServiceCall, orderId: number, logger: Logger): Promise<void> {
  await releaseUnits(call, orderId).catch((err) =>
    logger.warn({ err, orderId }, 'releasing the units failed; the hold will expire on its own'),
  );
}
