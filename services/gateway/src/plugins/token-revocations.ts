import fp from 'fastify-plugin';
import {
  call,
  followBroadcast,
  revocationHorizonSeconds,
  type BroadcastSubscription,
  type Config,
  type Logger,
  type ServiceBroker,
} from '@ticketpro/shared';
import { REVOKING_EVENTS, TokenRevocations, type TokenHolder } from '../auth/token-revocations';

export interface RevocationCheck {
  /**
   * Whether this instance knows every revocation so far: its feed caught up (and, in embedded
   * mode, identity's list of earlier ones arrived) and NATS is reachable. While it does not,
   * tokens are not taken (fail closed): a revoked token must never pass for want of news.
   */
  readonly current: boolean;
  /** Whether it has been current at least once (until then the gateway is still starting). */
  readonly everCurrent: boolean;
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
 * Resolves once `service` is registered with `broker`, rejects after `timeoutMs`. Moleculer's
 * `waitForServices` polls on a timer that nothing can stop and that keeps the process alive: a
 * gateway closed before identity appeared (a test's, a start that failed) held its process, or
 * its jest worker, for the whole timeout. This waits for the registry's change events instead,
 * with an unref'd timer.
 */
function serviceRegistered(broker: ServiceBroker, service: string, timeoutMs: number): Promise<void> {
  // The registry's own check, which waitForServices uses; not in Moleculer 0.14's typings.
  const registry = broker.registry as unknown as { hasService(name: string): boolean };
  if (registry.hasService(service)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (err?: Error) => {
      clearTimeout(timer);
      broker.localBus.off('$services.changed', onChange);
      if (err) reject(err);
      else resolve();
    };
    const onChange = () => {
      if (registry.hasService(service)) settle();
    };
    const timer = setTimeout(() => settle(new Error(`${service} is not available`)), timeoutMs).unref();
    broker.localBus.on('$services.changed', onChange);
  });
}

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
    const retries = new Set<NodeJS.Timeout>();

    /** Retries `attempt` every second until it succeeds or the app closes. */
    const retrying = (what: string, attempt: () => Promise<void>) => {
      const run = async (): Promise<void> => {
        try {
          await attempt();
        } catch (err) {
          if (stopped) return;
          logger.warn({ err }, `${what}; refusing tokens until it can (retrying)`);
          // Unref'd: an app whose build failed later on (and is never closed) must not keep the process alive.
          retries.add(setTimeout(() => void run(), RETRY_MS).unref());
        }
      };
      return run;
    };
    // Embedded: identity runs in this process, and starts only after the app is built, so the
    // list is fetched in the background; /health says starting until it has arrived.
    const loadSnapshot = retrying('cannot read earlier token revocations from identity yet', async () => {
      await serviceRegistered(broker, 'identity', config.REQUEST_TIMEOUT_MS);
      const snapshot = await call(broker, 'identity.tokens.revocations', {}, { retries: 0 });
      revocations.applySnapshot(snapshot);
      snapshotLoaded = true;
    });
    const startOrRetry = retrying('cannot follow token revocations yet', async () => {
      feed ??= await followBroadcast({
        config,
        logger,
        name: `gateway_revocations_${broker.nodeID}`,
        events: REVOKING_EVENTS,
        since: new Date(Date.now() - horizonMs),
        handle: (envelope) => revocations.apply(envelope),
      });
      if (!stopped && !feed.replays) void loadSnapshot();
    });

    await startOrRetry();
    if (feed && !feed.current) {
      await Promise.race([feed.caughtUp, new Promise((resolve) => setTimeout(resolve, FIRST_CATCH_UP_MS).unref())]);
    }

    const pruning = setInterval(() => revocations.prune(), PRUNE_EVERY_MS).unref();
    app.addHook('onClose', async () => {
      stopped = true;
      for (const timer of retries) clearTimeout(timer);
      clearInterval(pruning);
      await feed?.stop();
    });

    let everCurrent = false;
    app.decorate('tokenRevocations', {
      get current() {
        const current = feed !== undefined && feed.current && (feed.replays || snapshotLoaded);
        everCurrent ||= current;
        return current;
      },
      get everCurrent(): boolean {
        return everCurrent || (this as RevocationCheck).current;
      },
      isRevoked: (holder: TokenHolder) => revocations.isRevoked(holder),
    });
  },
  { name: 'token-revocations' },
);
