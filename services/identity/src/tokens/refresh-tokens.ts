import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Role } from '@ticketpro/shared';
import type { IdentityModels } from '../models';
import { identityEvents } from '../domain-events';

/** 256 bits: far beyond guessing, and short enough for a header or a form field. */
const TOKEN_BYTES = 32;

function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Creates a refresh token in `familyId`; only its hash is stored, the token itself is returned once. */
export async function storeRefreshToken(
  db: Knex,
  models: IdentityModels,
  userId: number,
  familyId: string,
  ttlSeconds: number,
): Promise<string> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  await models.RefreshToken.query(db).insert({
    user_id: userId,
    family_id: familyId,
    token_hash: hashRefreshToken(token),
    // The database's clock, the same one `expires_at > now()` is checked against.
    expires_at: db.raw('now() + make_interval(secs => ?)', [ttlSeconds]),
  });
  return token;
}

export interface ConsumedRefreshToken {
  familyId: string;
  user: { id: number; role: Role; token_version: number };
}

/**
 * Marks the token used if it is still good and its user may still sign in, in one conditional
 * UPDATE: of two requests presenting the same token, exactly one gets a row back. The loser
 * waits on the row lock until the winner's transaction ends, then finds the token used.
 */
export async function consumeRefreshToken(db: Knex, token: string): Promise<ConsumedRefreshToken | undefined> {
  const { rows } = await db.raw<{ rows: { family_id: string; user_id: number; role: Role; token_version: number }[] }>(
    `UPDATE refresh_tokens AS t SET used_at = now()
       FROM users AS u
      WHERE t.token_hash = ? AND t.used_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > now()
        AND u.id = t.user_id AND u.deleted_at IS NULL AND u.active
      RETURNING t.family_id, u.id AS user_id, u.role, u.token_version`,
    [hashRefreshToken(token)],
  );
  const row = rows[0];
  return (
    row && { familyId: row.family_id, user: { id: row.user_id, role: row.role, token_version: row.token_version } }
  );
}

/** The stored record of a presented token, whatever its state; undefined if it was never issued. */
export async function findRefreshToken(models: IdentityModels, token: string) {
  return models.RefreshToken.query().findOne({ token_hash: hashRefreshToken(token) });
}

/**
 * Ends a sign-in: its refresh tokens stop working, and `identity.session.revoked` (recorded in
 * the same transaction when anything changed) makes gateways refuse its access tokens too.
 */
export async function revokeFamily(db: Knex, models: IdentityModels, familyId: string): Promise<number> {
  return db.transaction(async (trx) => {
    const revoked = await models.RefreshToken.query(trx)
      .patch({ revoked_at: trx.fn.now() })
      .where({ family_id: familyId })
      .whereNull('revoked_at')
      .returning('user_id');
    if (revoked.length > 0) {
      await identityEvents.record(trx, 'identity.session.revoked', {
        user_id: revoked[0].user_id,
        session_id: familyId,
      });
    }
    return revoked.length;
  });
}

export async function revokeUserTokens(db: Knex, models: IdentityModels, userId: number): Promise<number> {
  return models.RefreshToken.query(db)
    .patch({ revoked_at: db.fn.now() })
    .where({ user_id: userId })
    .whereNull('revoked_at');
}
