import { ForbiddenError, NotFoundError, defineAction, isAdmin } from '@ticketpro/shared';
import type { PartialModelObject } from 'objection';
import type { IdentityAccess } from '../runtime';
import type { User } from '../models';
import { assertSelfOrAdmin, callerAccount } from '../auth/caller';
import { identityEvents } from '../domain-events';
import { revokeUserTokens } from '../tokens/refresh-tokens';
import { revokeAccessTokens } from '../tokens/token-version';
import { normalisePhoneNumber } from '../users/phone-number';
import { toUserFacts, toUserView } from '../users/user-views';

export function updateUserAction(identity: IdentityAccess) {
  return defineAction('identity.users.update', async (ctx) => {
    const runtime = identity();
    const { models } = runtime;
    const caller = await callerAccount(ctx, models);
    const { id, ...changes } = ctx.params;
    assertSelfOrAdmin(caller, id);
    if (!isAdmin(caller) && (changes.role !== undefined || changes.active !== undefined)) {
      throw new ForbiddenError('Only an admin may change role or active');
    }
    const patch: PartialModelObject<User> = { ...changes };
    if (changes.phone_number !== undefined) patch.phone_number = normalisePhoneNumber(changes.phone_number);

    const user = await runtime.resources.db.transaction(async (trx) => {
      // Locked, so that two changes at once each compare against what the other left.
      const before = await models.User.query(trx).findById(id).forUpdate();
      if (!before) throw new NotFoundError('User not found');
      const updated = await models.User.query(trx).patchAndFetchById(id, patch);
      // A deactivated account keeps no way to renew its access.
      if (changes.active === false) await revokeUserTokens(trx, models, id);
      // Its access tokens stop working too, as do those of an account whose role changed: they
      // carry the old role.
      const deactivated = changes.active === false && before.active;
      if (deactivated || (changes.role !== undefined && changes.role !== before.role)) {
        updated.token_version = await revokeAccessTokens(trx, models, id);
      }
      await identityEvents.record(trx, 'identity.user.updated', {
        ...toUserFacts(updated),
        token_version: updated.token_version,
      });
      return updated;
    });
    ctx.locals.logger.info({ userId: id, by: caller.id, fields: Object.keys(changes) }, 'user updated');
    return toUserView(user);
  });
}
