import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN_ALGORITHM, type Config, type Role } from '@ticketpro/shared';
import type { SigningKey } from '../keys/signing-key';

export interface TokenSubject {
  id: number;
  role: Role;
  /** The account's token version when it was read; gateways refuse tokens with an older one. */
  token_version: number;
}

/**
 * An access token for `subject` in the sign-in `sessionId` (its refresh-token family): `ver`
 * and `sid` let gateways refuse it once the account or the sign-in is revoked.
 */
export function signAccessToken(subject: TokenSubject, sessionId: string, key: SigningKey, config: Config): string {
  return jwt.sign({ role: subject.role, ver: subject.token_version, sid: sessionId }, key.privateKey, {
    algorithm: ACCESS_TOKEN_ALGORITHM,
    keyid: key.kid,
    subject: String(subject.id),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    expiresIn: config.ACCESS_TOKEN_TTL,
    jwtid: randomUUID(),
  });
}
