import { UnauthorizedError } from '@ticketpro/shared';
import type { IdentityRuntime } from '../runtime';
import { findRefreshToken, revokeFamily } from '../tokens/refresh-tokens';

/**
 * Ends the sign-in the token belongs to: its whole family, also on the holder's other copies,
 * and (through `identity.session.revoked`) the access tokens issued in it.
 */
export async function logOut(runtime: IdentityRuntime, refreshToken: string): Promise<void> {
  const stored = await findRefreshToken(runtime.models, refreshToken);
  if (!stored) throw new UnauthorizedError('Invalid refresh token');
  await revokeFamily(runtime.resources.db, runtime.models, stored.family_id);
}
