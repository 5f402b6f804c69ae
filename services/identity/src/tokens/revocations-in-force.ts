import { revocationHorizonSeconds, type ResultOf } from '@ticketpro/shared';
import type { IdentityRuntime } from '../runtime';

/**
 * The access-token revocations still in force: token versions raised (and accounts deleted) and
 * sign-ins ended within the revocation horizon.
 */
export async function revocationsInForce({
  config,
  models,
}: IdentityRuntime): Promise<ResultOf<'identity.tokens.revocations'>> {
  const horizon = revocationHorizonSeconds(config);
  const since = models.User.knex().raw('now() - make_interval(secs => ?)', [horizon]);
  const [users, sessions] = await Promise.all([
    models.User.query()
      .withDeleted()
      .select('id', 'token_version', 'deleted_at')
      .where('tokens_revoked_at', '>', since)
      .orderBy('id'),
    models.RefreshToken.query().distinct('family_id', 'user_id').where('revoked_at', '>', since).orderBy('family_id'),
  ]);
  // Plain objects: in embedded mode the caller gets the value itself, not a serialised copy.
  return {
    users: users.map((u) => ({ id: u.id, token_version: u.token_version, deleted: u.deleted_at !== null })),
    sessions: sessions.map((s) => ({ user_id: s.user_id, session_id: s.family_id })),
  };
}
