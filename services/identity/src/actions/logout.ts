import { UnauthorizedError, defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { findRefreshToken, revokeFamily } from '../tokens/refresh-tokens';

/**
 * Ends the sign-in the token belongs to: its whole family, also on the holder's other copies,
 * and (through `identity.session.revoked`) the access tokens issued in it.
 */
export function logoutAction(identity: IdentityAccess) {
  return defineAction('identity.logout', async (ctx) => {
    const runtime = identity();
    const stored = await findRefreshToken(runtime.models, ctx.params.refresh_token);
    if (!stored) throw new UnauthorizedError('Invalid refresh token');
    await revokeFamily(runtime.resources.db, runtime.models, stored.family_id);
    return null;
  });
}
