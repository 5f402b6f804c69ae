import type { VerifiedToken } from './access-token';

/** Enough for every buyer active at once on one gateway; the oldest entry goes first beyond it. */
const MAX_ENTRIES = 10_000;

/**
 * Access tokens whose signature and claims were verified, until they expire: a client sends the
 * same token with every request, and the ECDSA check is the costliest part of authenticating
 * one. Only the verification is remembered; whether the token was revoked since is asked on
 * every request all the same. Kept in memory, so a restart (after a key rotation) starts empty.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedToken>();

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  /** The token's verification, while it has not expired. */
  get(token: string, now = Date.now()): VerifiedToken | undefined {
    const verified = this.entries.get(token);
    if (verified && verified.expiresAtMs <= now) {
      this.entries.delete(token);
      return undefined;
    }
    return verified;
  }

  remember(token: string, verified: VerifiedToken): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, verified);
  }
}
