import { UnauthorizedError, defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { consumeRefreshToken, findRefreshToken, revokeFamily } from '../tokens/refresh-tokens';
import { issueTokenPair } from '../tokens/token-pair';

export function refreshAction(identity: IdentityAccess) {
  return defineAction('identity.refresh', async (ctx) => {
    const runtime = identity();
    const { db } = runtime.resources;
    const { refresh_token: presented } = ctx.params;
    // Consuming and issuing commit together, so a racing second request sees the new token when it revokes.
    const tokens = await db.transaction(async (trx) => {
      const consumed = await consumeRefreshToken(trx, presented);
      return consumed && issueTokenPair(runtime, trx, consumed.user, consumed.familyId);
    });
    if (tokens) return tokens;

    // A used token presented again was copied: whoever holds it, the whole family ends here.
    const stored = await findRefreshToken(runtime.models, presented);
    if (stored?.used_at) {
      const revoked = await revokeFamily(db, runtime.models, stored.family_id);
      ctx.locals.logger.warn(
        { userId: stored.user_id, familyId: stored.family_id, revoked, ip: ctx.meta.ip },
        'refresh token reused; family revoked',
      );
    }
    throw new UnauthorizedError('Invalid refresh token');
  });
}
