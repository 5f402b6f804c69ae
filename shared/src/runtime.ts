import type { ServiceBroker } from 'moleculer';
import { databaseUrlFor, type Config, type ServiceName } from './config';
import { createDatabase, type Database, type Migration } from './db';
import type { Logger } from './logger';
import { attachRelay, OutboxRelay } from './events/outbox';
import { JetStreamPublisher, LocalPublisher, type EventPublisher } from './events/publishers';
import { localDomainEvents } from './events/local-bus';

export async function createEventPublisher(config: Config, connectionName: string): Promise<EventPublisher> {
  if (!config.NATS_URL) return new LocalPublisher(localDomainEvents);
  return JetStreamPublisher.connect({
    url: config.NATS_URL,
    stream: config.EVENT_STREAM,
    subjectPrefix: config.EVENT_SUBJECT_PREFIX,
    connectionName,
  });
}

/** What a service with its own data opens at start and closes at stop. */
export interface ServiceResources {
  db: Database;
  publisher: EventPublisher;
  relay: OutboxRelay;
}

export async function openServiceResources(
  config: Config,
  service: ServiceName,
  migrations: Migration[],
  logger: Logger,
): Promise<ServiceResources> {
  const db = await createDatabase({
    schema: service,
    url: databaseUrlFor(config, service),
    dataDir: config.DATA_DIR,
    migrations,
    poolMax: config.DATABASE_POOL_MAX,
    acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
  });
  try {
    const publisher = await createEventPublisher(config, service);
    // Without NATS, the in-process bus: this process is the only one relaying its outboxes.
    const relay = new OutboxRelay(db, publisher, logger, { soleRelay: !config.NATS_URL });
    attachRelay(db, relay);
    relay.start();
    return { db, publisher, relay };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}

/** Flushes the outbox before closing, so events of finished work are not left behind. */
export async function closeServiceResources(resources: ServiceResources | undefined, logger: Logger): Promise<void> {
  if (!resources) return;
  await resources.relay.stop().catch((err) => logger.warn({ err }, 'outbox not fully relayed at stop'));
  await resources.publisher.close().catch((err) => logger.warn({ err }, 'event publisher did not close cleanly'));
  await resources.db.destroy();
}

/**
 * Runs `stop` on the first SIGTERM/SIGINT, then exits (0 when it went well). A repeated signal
 * (a second Ctrl-C, a supervisor that signals again) is logged and ignored: with no listener
 * left its default action would kill the process halfway through its shutdown, before the
 * outbox is flushed. The shutdown is bounded anyway (drain, then the broker's tracking timeout).
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.info({ signal }, 'already shutting down');
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop()
      .then(() => process.exit(0))
      .catch((err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** `<service>.health`: answers only when the service can reach its database. */
export function healthAction(getDb: () => Database | undefined) {
  return {
    async handler() {
      const db = getDb();
      if (!db) throw new Error('not started');
      await db.raw('select 1');
      return { status: 'ok' as const };
    },
  };
}

export type { ServiceBroker };
