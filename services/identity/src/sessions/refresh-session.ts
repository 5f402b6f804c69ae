import { UnauthorizedError, type RequestContext, type Token } from '@ticketpro/shared';
import type { IdentityRuntime } from '../runtime';
import { consumeRefreshToken, findRefreshToken, revokeFamily } from '../tokens/refresh-tokens';
import { issueTokenPair } from '../tokens/token-pair';

/**
 * Trades an unused refresh token for a new pair of its sign-in. A used one presented again was
 * copied: its whole family is revoked.
 */
export async function refreshSession(
  runtime: IdentityRuntime,
  ctx: RequestContext<unknown>,
  presented: string,
): Promise<Token> {
  const { db } = runtime.resources;
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
}
