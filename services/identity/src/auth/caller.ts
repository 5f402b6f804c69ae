import { authenticatedCaller, isAdmin, NotFoundError, UnauthorizedError, type RequestContext } from '@ticketpro/shared';
import type { IdentityModels, User } from '../models';

/**
 * The caller's account, read afresh: a deleted or deactivated account is refused, and the
 * role is the stored one, so a demotion counts at once rather than when the access token expires.
 */
export async function callerAccount(ctx: RequestContext<unknown>, models: IdentityModels): Promise<User> {
  const caller = await models.User.query().findById(authenticatedCaller(ctx).id);
  if (!caller || !caller.active) throw new UnauthorizedError();
  return caller;
}

/** Self or admin. Anyone else is told the user does not exist, so ids cannot be probed. */
export function assertSelfOrAdmin(caller: User, userId: number): void {
  if (caller.id !== userId && !isAdmin(caller)) throw new NotFoundError('User not found');
}
