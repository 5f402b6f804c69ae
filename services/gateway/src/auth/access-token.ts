import jwt from 'jsonwebtoken';
import { ROLES, UnauthorizedError, type AuthUser, type Role } from '@ticketpro/shared';
import type { PublicKeys } from './public-keys';
import type { TokenHolder } from './token-revocations';

/** The only algorithm accepted: pinning it stops `alg: none` and HS256-with-the-public-key forgeries. */
const ALGORITHM = 'ES256';

/** `sub` is a user id: a positive integer, as a string. */
const USER_ID = /^[1-9]\d{0,9}$/;

export interface TokenChecks {
  issuer: string;
  audience: string;
}

/** A token whose signature and claims hold: its user, and what revocations are checked against. */
export interface VerifiedToken extends TokenHolder {
  user: AuthUser;
  /** When the token expires (its `exp`), in ms since the epoch. */
  expiresAtMs: number;
}

/**
 * Verifies an access token issued by identity and returns what it says. Rejections are
 * `UnauthorizedError`s; a failure to obtain identity's keys is passed on as thrown by
 * `fetchJwks`. Whether the token was revoked since is for the caller to ask.
 */
export async function verifyAccessToken(
  token: string,
  keys: PublicKeys,
  checks: TokenChecks,
  fetchJwks: () => Promise<unknown>,
): Promise<VerifiedToken> {
  const decoded = jwt.decode(token, { complete: true });
  // Refused before any key lookup, so garbage cannot make the gateway fetch keys.
  if (!decoded || typeof decoded.payload === 'string' || decoded.header.alg !== ALGORITHM) {
    throw new UnauthorizedError('Invalid token');
  }
  const key = await keys.keyFor(decoded.header.kid, fetchJwks);
  if (!key) throw new UnauthorizedError('Invalid token: unknown signing key');

  let claims: jwt.JwtPayload;
  try {
    const options = { algorithms: [ALGORITHM] as jwt.Algorithm[], issuer: checks.issuer, audience: checks.audience };
    claims = jwt.verify(token, key, options) as jwt.JwtPayload;
  } catch (err) {
    throw new UnauthorizedError(err instanceof jwt.TokenExpiredError ? 'Token has expired' : 'Invalid token');
  }
  // jsonwebtoken only checks `exp` when present; a token that never expires is not accepted.
  if (typeof claims.exp !== 'number') throw new UnauthorizedError('Invalid token: no expiry');
  // `ver` and `sid` are absent from tokens signed before identity added them: version 0, no sign-in.
  const { ver = 0, sid } = claims;
  const validVersion = Number.isSafeInteger(ver) && ver >= 0;
  if (typeof claims.sub !== 'string' || !USER_ID.test(claims.sub) || !isRole(claims.role) || !validVersion) {
    throw new UnauthorizedError('Invalid token: unexpected claims');
  }
  if (sid !== undefined && typeof sid !== 'string') throw new UnauthorizedError('Invalid token: unexpected claims');
  const userId = Number(claims.sub);
  return {
    user: { id: userId, role: claims.role },
    expiresAtMs: claims.exp * 1000,
    userId,
    version: ver,
    ...(sid === undefined ? {} : { sessionId: sid }),
  };
}

function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}
