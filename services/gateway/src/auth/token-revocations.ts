import type { AcceptedEnvelope, TokenRevocations as RevocationSnapshot } from '@ticketpro/shared';

/** What a verified access token says about who may use it. */
export interface TokenHolder {
  userId: number;
  /** The account's token version when the token was signed (claim `ver`; 0 when absent). */
  version: number;
  /** The sign-in it belongs to (claim `sid`), when it says. */
  sessionId?: string;
}

/**
 * The identity events that revoke access tokens, in the versions read. Version 1 of
 * `identity.user.updated` (before token versions) revokes nothing, but is read rather than
 * logged as unreadable: a gateway replays the last minutes of events, which may hold some.
 */
export const REVOKING_EVENTS = {
  'identity.user.updated': [1, 2, 3],
  'identity.user.deleted': [1],
  'identity.session.revoked': [1],
} as const;
export type RevokingEvent = AcceptedEnvelope<typeof REVOKING_EVENTS>;

/** Every token of a deleted account is refused: its id is never used again. */
const ALL_VERSIONS = Number.POSITIVE_INFINITY;

/**
 * The revocations identity told of, kept as long as a token they concern can still be valid
 * (`keepMs`, the revocation horizon, counted from when this instance learnt of them): per
 * account the lowest token version still accepted, and the ended sign-ins. In memory, so the
 * check on every request costs two map lookups and no call to identity.
 */
export class TokenRevocations {
  private readonly minimumVersions = new Map<number, { version: number; until: number }>();
  private readonly endedSessions = new Map<string, number>();

  constructor(private readonly keepMs: number) {}

  /** Tokens of `userId` signed with a version below `version` are refused. Marks only rise. */
  requireVersion(userId: number, version: number): void {
    const known = this.minimumVersions.get(userId);
    const until = Date.now() + this.keepMs;
    if (!known || version >= known.version) {
      this.minimumVersions.set(userId, { version: Math.max(version, known?.version ?? 0), until });
    }
  }

  endSession(sessionId: string): void {
    this.endedSessions.set(sessionId, Date.now() + this.keepMs);
  }

  isRevoked({ userId, version, sessionId }: TokenHolder): boolean {
    const minimum = this.minimumVersions.get(userId);
    if (minimum && version < minimum.version) return true;
    return sessionId !== undefined && this.endedSessions.has(sessionId);
  }

  apply(envelope: RevokingEvent): void {
    const { data } = envelope;
    if ('session_id' in data) this.endSession(data.session_id);
    else if ('token_version' in data) this.requireVersion(data.id, data.token_version);
    // identity.user.deleted. (An updated event of version 1 carries no token version: nothing to do.)
    else if (!('firstname' in data)) this.requireVersion(data.id, ALL_VERSIONS);
  }

  applySnapshot({ users, sessions }: RevocationSnapshot): void {
    for (const user of users) this.requireVersion(user.id, user.deleted ? ALL_VERSIONS : user.token_version);
    for (const session of sessions) this.endSession(session.session_id);
  }

  /** Forgets what no longer matters: every token it concerned has expired. */
  prune(now = Date.now()): void {
    for (const [userId, { until }] of this.minimumVersions) if (until <= now) this.minimumVersions.delete(userId);
    for (const [sessionId, until] of this.endedSessions) if (until <= now) this.endedSessions.delete(sessionId);
  }

  get size(): number {
    return this.minimumVersions.size + this.endedSessions.size;
  }
}
