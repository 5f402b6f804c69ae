import type { ServiceBroker, ServiceSchema } from 'moleculer';
import { createBroker } from './broker';
import { loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';
import { stopOnSignals } from './runtime';

export interface NodeDeps {
  config: Config;
  logger: Logger;
}

/** Something a node runs besides its services, e.g. the gateway's HTTP server. */
export interface NodeAttachment {
  close(): Promise<void>;
}

export interface NodePlan {
  services: ServiceSchema[];
  /** Runs after the broker started; closed before the broker stops. */
  attach?: (broker: ServiceBroker) => Promise<NodeAttachment>;
}

/**
 * Runs one process: a broker with the given services (one service in distributed mode, all of
 * them in embedded mode), plus an optional attachment, and stops it all on SIGTERM/SIGINT:
 * the attachment first (no new requests), then the broker, which waits for calls in flight.
 */
export async function runNode(role: string, plan: (deps: NodeDeps) => NodePlan): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(role, config.LOG_LEVEL);
  const broker = createBroker({ config, role, logger });
  const { services, attach } = plan({ config, logger });
  for (const schema of services) broker.createService(schema);
  let attachment: NodeAttachment | undefined;
  stopOnSignals(async () => {
    await attachment?.close();
    await broker.stop();
  }, logger);
  try {
    await broker.start();
    attachment = await attach?.(broker);
  } catch (err) {
    logger.fatal({ err }, `${role} failed to start`);
    await broker.stop().catch(() => undefined);
    process.exit(1);
  }
  logger.info(
    { mode: config.NATS_URL ? 'distributed' : 'embedded', services: services.map((s) => s.name) },
    `${role} ready`,
  );
  // A supervisor that started us with an IPC channel (process managers, our e2e tests) learns
  // we are ready whatever the log level.
  process.send?.({ ready: role });
}
