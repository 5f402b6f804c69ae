import type { AuthUser, RequestContext } from './broker';
import { UnauthorizedError } from './errors';
import type { Role } from './schemas/identity';

/**
 * The caller as the gateway verified it from the access token (401 without one). Services other
 * than identity keep no accounts, so a role change counts from the caller's next access token;
 * a revoked token never gets this far (the gateway refuses it).
 */
export function authenticatedCaller(ctx: RequestContext<unknown>): AuthUser {
  const user = ctx.meta.user;
  if (!user) throw new UnauthorizedError();
  return user;
}

export const isAdmin = (caller: { role: Role }): boolean => caller.role === 'admin';
