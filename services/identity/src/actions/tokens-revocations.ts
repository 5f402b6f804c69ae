import { defineAction, revocationHorizonSeconds } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';

/**
 * The access-token revocations still in force: token versions raised (and accounts deleted) and
 * sign-ins ended within the revocation horizon. For a gateway starting where its event feed has
 * no history (embedded mode); the events carry each one as it happens. For calls between
 * services: it needs no caller, and the gateway routes no URL to it.
 */
export function tokenRevocationsAction(identity: IdentityAccess) {
  return defineAction('identity.tokens.revocations', async () => {
    const { config, models } = identity();
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
  });
}
