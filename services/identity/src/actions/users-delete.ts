import { NotFoundError, defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { assertSelfOrAdmin, callerAccount } from '../auth/caller';
import { identityEvents } from '../domain-events';
import { revokeUserTokens } from '../tokens/refresh-tokens';
import { revokeAccessTokens } from '../tokens/token-version';

export function deleteUserAction(identity: IdentityAccess) {
  return defineAction('identity.users.delete', async (ctx) => {
    const runtime = identity();
    const { models } = runtime;
    const caller = await callerAccount(ctx, models);
    const { id } = ctx.params;
    assertSelfOrAdmin(caller, id);
    await runtime.resources.db.transaction(async (trx) => {
      const deleted = await models.User.query(trx).where('id', id).softDelete();
      if (deleted === 0) throw new NotFoundError('User not found');
      await revokeUserTokens(trx, models, id);
      // Marks the revocation's time for gateways that start later (identity.tokens.revocations).
      await revokeAccessTokens(trx, models, id);
      await identityEvents.record(trx, 'identity.user.deleted', { id });
    });
    ctx.locals.logger.info({ userId: id, by: caller.id }, 'user deleted');
    return null;
  });
}
