import { NotFoundError } from '@ticketpro/shared';
import type { IdentityRuntime } from '../runtime';
import type { User } from '../models';
import { assertSelfOrAdmin } from '../auth/caller';
import { identityEvents } from '../domain-events';
import { revokeUserTokens } from '../tokens/refresh-tokens';
import { revokeAccessTokens } from '../tokens/token-version';

/** Deletes the caller's own account (any, for an admin) and revokes every token of it. */
export async function deleteUser(runtime: IdentityRuntime, caller: User, id: number): Promise<void> {
  const { models } = runtime;
  assertSelfOrAdmin(caller, id);
  await runtime.resources.db.transaction(async (trx) => {
    const deleted = await models.User.query(trx).where('id', id).softDelete();
    if (deleted === 0) throw new NotFoundError('User not found');
    await revokeUserTokens(trx, models, id);
    // Marks the revocation's time for gateways that start later (identity.tokens.revocations).
    await revokeAccessTokens(trx, models, id);
    await identityEvents.record(trx, 'identity.user.deleted', { id });
  });
}
