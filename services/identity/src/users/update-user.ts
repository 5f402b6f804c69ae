import { ForbiddenError, NotFoundError, isAdmin, type ParamsOf } from '@ticketpro/shared';
import type { PartialModelObject } from 'objection';
import type { IdentityRuntime } from '../runtime';
import type { User } from '../models';
import { assertSelfOrAdmin } from '../auth/caller';
import { identityEvents } from '../domain-events';
import { revokeUserTokens } from '../tokens/refresh-tokens';
import { revokeAccessTokens } from '../tokens/token-version';
import { normalisePhoneNumber } from './phone-number';
import { toUserFacts } from './user-views';

type UserChanges = Omit<ParamsOf<'identity.users.update'>, 'id'>;

/**
 * Changes the caller's own account (any, for an admin; only an admin changes role or active),
 * recording `identity.user.updated`. Deactivating an account or changing its role revokes its
 * tokens.
 */
export async function updateUser(
  runtime: IdentityRuntime,
  caller: User,
  id: number,
  changes: UserChanges,
): Promise<User> {
  const { models } = runtime;
  assertSelfOrAdmin(caller, id);
  if (!isAdmin(caller) && (changes.role !== undefined || changes.active !== undefined)) {
    throw new ForbiddenError('Only an admin may change role or active');
  }
  const patch: PartialModelObject<User> = { ...changes };
  if (changes.phone_number !== undefined) patch.phone_number = normalisePhoneNumber(changes.phone_number);

  return runtime.resources.db.transaction(async (trx) => {
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
}
