import type { Knex } from 'knex';
import { raw } from 'objection';
import type { IdentityModels } from '../models';

/**
 * Makes every access token the user holds stale: raises the account's token version (access
 * tokens carry the one they were signed with, claim `ver`), which the caller's
 * `identity.user.updated|deleted` event then carries to every gateway. In the caller's
 * transaction, so the change and its event commit together; resolves to the new version.
 */
export async function revokeAccessTokens(
  trx: Knex.Transaction,
  models: IdentityModels,
  userId: number,
): Promise<number> {
  const [row] = await models.User.query(trx)
    .withDeleted()
    .where('id', userId)
    .patch({ token_version: raw('token_version + 1'), tokens_revoked_at: raw('now()') })
    .returning('token_version');
  return row.token_version;
}
