import { ForbiddenError, isAdmin, NotFoundError, type AuthUser, type ServiceCaller } from '@ticketpro/shared';
import type { Order } from '../models';
import { eventOf } from './catalog-inventory';

/** Whether the caller organizes the order's event (catalog knows; a deleted event has no organizer). */
async function organizesEventOf(call: ServiceCaller, caller: AuthUser, order: Order): Promise<boolean> {
  if (caller.role !== 'organizer') return false;
  const organizerId = await eventOf(call, order.event_id).then(
    (event) => event.organizer_id,
    (err) => {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    },
  );
  return organizerId === caller.id;
}

/**
 * For what only the event's organizer or an admin may do to an order (refund it, take its cash,
 * settle its refunds): its owner is told no (403), anyone else learns nothing (404).
 */
export async function assertOrganizerOrAdmin(
  call: ServiceCaller,
  caller: AuthUser,
  order: Order,
  what: string,
): Promise<void> {
  if (isAdmin(caller) || (await organizesEventOf(call, caller, order))) return;
  if (order.user_id === caller.id) throw new ForbiddenError(`Only an admin or the event's organizer may ${what}`);
  throw new NotFoundError('Order not found');
}

/** The order's payments are for its buyer, the event's organizer and admins; anyone else gets 404. */
export async function assertMaySeePayments(call: ServiceCaller, caller: AuthUser, order: Order): Promise<void> {
  if (isAdmin(caller) || order.user_id === caller.id || (await organizesEventOf(call, caller, order))) return;
  throw new NotFoundError('Order not found');
}
