import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/**
 * OWASP's recommended argon2id minimum: 19 MiB of memory, 2 passes, 1 lane. About 25 ms per
 * hash on a 2-core machine; raise them (old hashes keep verifying) rather than lower them.
 */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return argon2.verify(passwordHash, password);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of a real check when there is no account to check against, so the answer's
 * timing does not tell whether an email is registered. Always false.
 */
export async function verifyWithoutAccount(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
  await argon2.verify(await dummyHash, password);
  return false;
}
