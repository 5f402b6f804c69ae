import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { Config } from '@ticketpro/shared';

export type PasswordHashCost = Config['PASSWORD_HASH_COST'];

const ARGON2_OPTIONS = {
  /**
   * OWASP's recommended argon2id minimum: 19 MiB of memory, 2 passes, 1 lane. About 25 ms per
   * hash on a 2-core machine; raise them (old hashes keep verifying) rather than lower them.
   */
  owasp: { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 },
  /**
   * The least memory argon2 takes, for test suites only (about 1 ms a hash): a run's thousand-odd
   * sign-ups otherwise spent half a minute of CI's CPU on hashing that no assertion looks at.
   */
  test: { type: argon2.argon2id, memoryCost: 1024, timeCost: 2, parallelism: 1 },
} as const;

/** Refuses the test cost outside tests, so that no deployment stores weak hashes by mistake. */
export function assertPasswordHashCostAllowed(config: Pick<Config, 'PASSWORD_HASH_COST' | 'NODE_ENV'>): void {
  if (config.PASSWORD_HASH_COST === 'test' && config.NODE_ENV !== 'test') {
    throw new Error(`PASSWORD_HASH_COST=test is for test suites only (NODE_ENV is ${config.NODE_ENV}, not test)`);
  }
}

export function hashPassword(password: string, cost: PasswordHashCost): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS[cost]);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return argon2.verify(passwordHash, password);
}

const dummyHashes = new Map<PasswordHashCost, Promise<string>>();

/**
 * Spends the time of a real check when there is no account to check against, so the answer's
 * timing does not tell whether an email is registered. Always false.
 */
export async function verifyWithoutAccount(password: string, cost: PasswordHashCost): Promise<false> {
  let dummyHash = dummyHashes.get(cost);
  if (!dummyHash) {
    dummyHash = hashPassword(randomBytes(32).toString('base64url'), cost);
    dummyHashes.set(cost, dummyHash);
  }
  await argon2.verify(await dummyHash, password);
  return false;
}
