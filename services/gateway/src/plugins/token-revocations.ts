import fp from 'fastify-plugin';
import {
  followBroadcast,
  revocationHorizonSeconds,
  type BroadcastSubscription,
  type Config,
  type Logger,
  type ServiceBroker,
  type TokenRevocations as RevocationSnapshot,
} from '@ticketpro/shared';
import { REVOKING_EVENTS, TokenRevocations, type TokenHolder } from '../auth/token-revocations';

export interface RevocationCheck {
  /**
   * Whether this instance knows every revocation so far: its feed caught up (and, in embedded
   * mode, identity's list of earlier ones arrived) and NATS is reachable. While it does not,
   * tokens are not taken (fail closed): a revoked token must never pass for want of news.
   */
  readonly current: boolean;
  isRevoked(holder: TokenHolder): boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    tokenRevocations: RevocationCheck;
  }
}

/** How long the first start waits for the feed to catch up before serving (then it goes on in the background). */
const FIRST_CATCH_UP_MS = 10_000;
const RETRY_MS = 1000;
const PRUNE_EVERY_MS = 60_000;

/**
 * Keeps this gateway instance told of every access-token revocation, from identity's events:
 * `identity.user.updated` (token version raised: deactivated, role changed),
 * `identity.user.deleted` and `identity.session.revoked` (logout, refresh token replayed).
 * Every instance follows every event (followBroadcast). Distributed, the JetStream feed replays
 * the revocation horizon first, so an instance that starts late knows what happened before it;
 * embedded, the bus keeps no history, so the revocations of the horizon are asked of identity
 * once the bus is followed (what happens between the two is in both, and applying twice is
 * harmless). A start that fails is retried every second.
 */
export const tokenRevocationsPlugin = fp<{ config: Config; broker: ServiceBroker; logger: Logger }>(
  async (app, { config, broker, logger }) => {
    const horizonMs = revocationHorizonSeconds(config) * 1000;
    const revocations = new TokenRevocations(horizonMs);
    let feed: BroadcastSubscription | undefined;
    let snapshotLoaded = false;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;

    const start = async (): Promise<void> => {
      feed ??= await followBroadcast({
        config,
        logger,
        name: `gateway_revocations_${broker.nodeID}`,
        events: REVOKING_EVENTS,
        since: new Date(Date.now() - horizonMs),
        handle: (envelope) => revocations.apply(envelope),
      });
      if (stopped) return;
      if (!feed.replays && !snapshotLoaded) {
        const snapshot = await broker.call<RevocationSnapshot, object>('identity.tokens.revocations', {}, { retries: 0 });
        revocations.applySnapshot(snapshot);
        snapshotLoaded = true;
      }
    };
    const startOrRetry = async (): Promise<void> => {
      try {
        await start();
      } catch (err) {
        if (stopped) return;
        logger.warn({ err }, 'cannot follow token revocations yet; refusing tokens until it can (retrying)');
        // Unref'd: an app whose build failed later on (and is never closed) must not keep the process alive.
        retry = setTimeout(() => void startOrRetry(), RETRY_MS).unref();
      }
    };

    await startOrRetry();
    if (feed && !feed.current) {
      await Promise.race([feed.caughtUp, new Promise((resolve) => setTimeout(resolve, FIRST_CATCH_UP_MS).unref())]);
    }

    const pruning = setInterval(() => revocations.prune(), PRUNE_EVERY_MS).unref();
    app.addHook('onClose', async () => {
      stopped = true;
      clearTimeout(retry);
      clearInterval(pruning);
      await feed?.stop();
    });

    app.decorate('tokenRevocations', {
      get current() {
        return feed !== undefined && feed.current && (feed.replays || snapshotLoaded);
      },
      isRevoked: (holder: TokenHolder) => revocations.isRevoked(holder),
    });
  },
  { name: 'token-revocations' },
);
