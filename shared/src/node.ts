import { setTimeout as delay } from 'node:timers/promises';
import type { ServiceBroker, ServiceSchema } from 'moleculer';
import type { Registry } from 'prom-client';
import { createBroker } from './broker';
import { loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';
import { stopOnSignals } from './runtime';
import { actionMetrics } from './operations/action-metrics';
import { createNodeMetricsRegistry } from './operations/node-metrics';
import { startOpsServer, type OpsServer } from './operations/ops-server';
import { NodeReadiness } from './operations/readiness';
import { withdrawServices } from './operations/withdraw-services';
import type { DeclaredService } from './service';

export interface NodeDeps {
  config: Config;
  logger: Logger;
}

/** Something a node runs besides its services, e.g. the gateway's HTTP server. */
export interface NodeAttachment {
  close(): Promise<void>;
}

/** What a node hands its attachment; the broker is still starting when it does. */
export interface RunningNode {
  broker: ServiceBroker;
  readiness: NodeReadiness;
  /** The process's registry: process metrics and the action metrics of the services it runs. */
  metrics: Registry;
}

export interface NodePlan {
  services: ServiceSchema[];
  /** Runs before the broker starts (it serves `starting` meanwhile); closed before the broker stops. */
  attach?: (node: RunningNode) => Promise<NodeAttachment>;
}

/**
 * Runs one process: a broker with the given services (one service in distributed mode, all of
 * them in embedded mode), an optional attachment, and with `OPS_PORT` the ops endpoints
 * (health and metrics). On SIGTERM/SIGINT it shuts down in this order, so that a rolling
 * restart drops no request:
 *  1. readiness answers `draining`, and the other nodes are told our services are gone;
 *  2. `SHUTDOWN_DRAIN_MS` pass, for load balancers and callers to stop sending us work;
 *  3. the attachment closes: no new requests, those in flight finish;
 *  4. the broker stops: it refuses new calls with a retryable error, waits for calls in flight
 *     (up to the tracking timeout), runs the services' `stopped` handlers (which flush their
 *     outbox), then leaves NATS;
 *  5. the ops endpoints close, and the process exits.
 */
export async function runNode(role: string, plan: (deps: NodeDeps) => NodePlan): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(role, config.LOG_LEVEL);
  const metrics = createNodeMetricsRegistry();
  const broker = createBroker({ config, role, logger, middlewares: [actionMetrics(metrics)] });
  const readiness = new NodeReadiness(broker);
  const { services, attach } = plan({ config, logger });
  for (const schema of services) broker.createService(schema);
  let attachment: NodeAttachment | undefined;
  let opsServer: OpsServer | undefined;
  stopOnSignals(async () => {
    readiness.startDraining();
    await withdrawServices(broker).catch((err) => logger.warn({ err }, 'could not tell other nodes we are leaving'));
    if (config.SHUTDOWN_DRAIN_MS > 0) {
      logger.info({ ms: config.SHUTDOWN_DRAIN_MS }, 'draining before stopping');
      await delay(config.SHUTDOWN_DRAIN_MS);
    }
    await attachment?.close();
    await broker.stop();
    await opsServer?.close();
  }, logger);
  try {
    // Before the broker, so that liveness answers and readiness (and the gateway's /health) say
    // `starting` while the services open their databases and run their migrations; calls to a
    // service not up yet are answered 503 with Retry-After meanwhile.
    if (config.OPS_PORT !== undefined) {
      opsServer = await startOpsServer({ port: config.OPS_PORT, host: config.HOST, readiness, metrics, logger });
    }
    attachment = await attach?.({ broker, readiness, metrics });
    await broker.start();
  } catch (err) {
    logger.fatal({ err }, `${role} failed to start`);
    await attachment?.close().catch(() => undefined);
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

/** A service's own process (its `src/main.ts`): one node, named after the one service it runs. */
export function runService(declared: DeclaredService): Promise<void> {
  return runNode(declared.service, (deps) => ({ services: [declared(deps)] }));
}
