import { authenticatedCaller, ForbiddenError, type AuthUser, type RequestContext } from '@ticketpro/shared';

/** Organizers and admins publish events; plain users are refused. */
export function publishingCaller(ctx: RequestContext<unknown>): AuthUser {
  const caller = authenticatedCaller(ctx);
  if (caller.role !== 'organizer' && caller.role !== 'admin') {
    throw new ForbiddenError('Only organizers and admins may publish or change events');
  }
  return caller;
}

/** The event's own organizer, or an admin. */
export function assertOwnerOrAdmin(caller: AuthUser, organizerId: number): void {
  if (caller.role !== 'admin' && caller.id !== organizerId) {
    throw new ForbiddenError("Only the event's organizer or an admin may do this");
  }
}
