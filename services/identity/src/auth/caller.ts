import { NotFoundError, UnauthorizedError, type RequestContext } from '@ticketpro/shared';
import type { IdentityModels, User } from '../models';

/**
 * The caller's account, read afresh: a deleted or deactivated account is refused, and the
 * role is the stored one, so a demotion counts at once rather than when the access token expires.
 */
export async function authenticatedCaller(ctx: RequestContext<unknown>, models: IdentityModels): Promise<User> {
  const id = ctx.meta.user?.id;
  if (id === undefined) throw new UnauthorizedError();
  const caller = await models.User.query().findById(id);
  if (!caller || !caller.active) throw new UnauthorizedError();
  return caller;
}

export function isAdmin(user: User): boolean {
  return user.role === 'admin';
}

/** Self or admin. Anyone else is told the user does not exist, so ids cannot be probed. */
export function assertSelfOrAdmin(caller: User, userId: number): void {
  if (caller.id !== userId && !isAdmin(caller)) throw new NotFoundError('User not found');
}
