import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Token } from '@ticketpro/shared';
import type { IdentityRuntime } from '../runtime';
import { signAccessToken, type TokenSubject } from './access-token';
import { storeRefreshToken } from './refresh-tokens';

/**
 * An access token and a refresh token for `subject`. A new family starts at each sign-in;
 * a refresh passes its family on. `db` may be the caller's transaction.
 */
export async function issueTokenPair(
  runtime: IdentityRuntime,
  db: Knex,
  subject: TokenSubject,
  familyId: string = randomUUID(),
): Promise<Token> {
  const { config, models, signingKeys } = runtime;
  const refreshToken = await storeRefreshToken(db, models, subject.id, familyId, config.REFRESH_TOKEN_TTL);
  return {
    access_token: signAccessToken(subject, familyId, signingKeys.active, config),
    refresh_token: refreshToken,
    token_type: 'bearer',
    expires_in: config.ACCESS_TOKEN_TTL,
  };
}
