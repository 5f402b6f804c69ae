import { UnauthorizedError, type AuthUser, type RequestContext } from '@ticketpro/shared';

/** The caller as the gateway verified it from the access token. */
export function authenticatedCaller(ctx: RequestContext<unknown>): AuthUser {
  const user = ctx.meta.user;
  if (!user) throw new UnauthorizedError();
  return user;
}

export const isAdmin = (caller: AuthUser): boolean => caller.role === 'admin';
