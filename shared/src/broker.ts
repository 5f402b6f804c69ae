import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { ServiceBroker, Errors, Validators, type BrokerOptions, type Context, type Middleware } from 'moleculer';
import type { Config } from './config';
import { lazyChild, type Logger, type ScopedLogger } from './logger';
import { createAjv, formatAjvErrors, withWellFormedText } from './validation';
import { asRetryableProblem } from './errors';
import { localDomainEvents } from './events/local-bus';
import { natsBalancedCalls } from './nats-balanced-calls';

/** What the gateway puts in `meta` of every call. */
export interface CallMeta {
  requestId?: string;
  user?: AuthUser;
  /** Client address as the gateway saw it, for rate limits and audit lines. */
  ip?: string;
}

export interface AuthUser {
  id: number;
  role: 'user' | 'organizer' | 'admin';
  email?: string;
}

export type RequestContext<P = unknown> = Context<P, CallMeta> & { locals: { logger: ScopedLogger } };

/**
 * Validates action params with ajv against JSON Schema, the same dialect the gateway uses.
 * Params arrive from the gateway already validated; this guards every other caller.
 */
export class AjvValidator extends Validators.Base {
  private readonly ajv = createAjv({ coerce: false });

  override compile(schema: object) {
    const validate = withWellFormedText(this.ajv.compile(schema));
    return (params: unknown) => (validate(params) ? true : formatAjvErrors(validate.errors ?? []));
  }

  override validate(params: unknown, schema: object) {
    const result = this.compile(schema)(params);
    if (result !== true) throw new Errors.ValidationError('Parameters validation error!', 'VALIDATION_ERROR', result);
    return true;
  }

  override convertSchemaToMoleculer(schema: object) {
    return schema;
  }
}

/**
 * Gives each action call a logger bound to its request id, and logs the call's outcome. The id
 * is the one the gateway puts in `meta` (meta reaches nested calls too), else Moleculer's own.
 * The logger's pino child is made only when the call writes a line that its level keeps.
 * It is also the one place where a database failing under load (`isTransientInfrastructureError`)
 * becomes the 503 every caller understands, rather than a code only Postgres speaks (a 500).
 */
export function requestLogging(logger: Logger): Middleware {
  return {
    name: 'RequestLogging',
    localAction(handler: (ctx: Context) => Promise<unknown>, action: { name: string }) {
      return async function logged(ctx: Context) {
        const requestId = (ctx.meta as CallMeta).requestId ?? ctx.requestID;
        const log = lazyChild(logger, { requestId, action: action.name });
        (ctx as RequestContext).locals.logger = log;
        const started = process.hrtime.bigint();
        try {
          const result = await handler(ctx);
          log.debug({ ms: elapsedMs(started) }, 'action done');
          return result;
        } catch (err) {
          const answer = asRetryableProblem(err);
          const code = (answer as { code?: number }).code ?? 500;
          // The line keeps the original error: for a database that gave up, what Postgres said.
          const line = { ms: elapsedMs(started), code, err: code >= 500 ? err : undefined };
          // A 503 is overload or a dependency away, which callers retry: a warning, not a fault.
          if (code === 503) log.warn(line, (answer as Error).message);
          else if (code >= 500) log.error(line, (answer as Error).message);
          else log.info(line, (answer as Error).message);
          throw answer;
        }
      };
    },
  } as unknown as Middleware;
}

function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Errors that mean the request never reached a handler, so a retry cannot run it twice.
 * A timeout is not among them: the first attempt may still be running.
 */
const NEVER_DELIVERED = new Set(['ServiceNotAvailableError', 'ServiceNotFoundError', 'BrokerDisconnectedError']);

export interface BrokerFactoryOptions {
  config: Config;
  /** What runs in this process: a service name, or `all` in embedded mode. */
  role: string;
  logger: Logger;
  middlewares?: Middleware[];
}

/**
 * A Moleculer broker over NATS when `NATS_URL` is set, otherwise in-process (embedded mode:
 * every service in one broker, no transporter).
 */
/**
 * Embedded mode: the in-process event bus holds every event back while the broker starts its
 * services, until all of them have subscribed (see LocalEventBus).
 */
function holdLocalEventsWhileStarting(): Middleware {
  let holding = false;
  const release = () => {
    if (holding) localDomainEvents.releaseStarted();
    holding = false;
  };
  return {
    name: 'HoldLocalEventsWhileStarting',
    starting: () => {
      holding = true;
      localDomainEvents.holdWhileStarting();
    },
    started: release,
    // A start that failed stops the broker without its `started` hook.
    stopped: release,
  } as unknown as Middleware;
}

/**
 * Over NATS, Moleculer tells the other nodes of a change to this node's services a second after
 * it (a debounced `localServiceChanged`), on a timer that keeps the process alive; a broker that
 * stopped would send nothing then anyway (it checks `stopping`), so the pending call is cancelled
 * at stop. Otherwise a stopped broker held its process (a jest worker: "failed to exit
 * gracefully") for up to a second.
 */
function cancelServiceChangeNoticeAtStop(): Middleware {
  let broker: ServiceBroker;
  return {
    name: 'CancelServiceChangeNoticeAtStop',
    created: (created: ServiceBroker) => {
      broker = created;
    },
    stopped: () => (broker as unknown as { localServiceChanged: { cancel(): void } }).localServiceChanged.cancel(),
  } as unknown as Middleware;
}

export function createBroker({ config, role, logger, middlewares = [] }: BrokerFactoryOptions): ServiceBroker {
  const options: BrokerOptions = {
    namespace: config.NAMESPACE,
    nodeID: `${role}-${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    transporter: config.NATS_URL ? { type: 'NATS', options: { url: config.NATS_URL } } : undefined,
    serializer: config.TRANSPORTER_SERIALIZER,
    logger: {
      type: 'Pino',
      options: {
        level: config.LOG_LEVEL === 'silent' ? false : config.LOG_LEVEL,
        pino: { options: { base: { service: role }, timestamp: () => `,"time":"${new Date().toISOString()}"` } },
      },
    },
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    // Over NATS, calls go to a queue group per action and the NATS server picks the instance: it
    // drops a killed instance's subscriptions as soon as its connection closes, so no new call goes
    // to it, where Moleculer's own balancer would keep choosing it until its heartbeats were missed
    // (HEARTBEAT_TIMEOUT_SECONDS). Embedded mode has no transporter, and Moleculer's call without a
    // balancer only works with one.
    disableBalancer: Boolean(config.NATS_URL),
    // Still what tells the registry (and so waitForServices and the readiness of callers) that a
    // node is gone; no longer what routes calls.
    heartbeatInterval: config.HEARTBEAT_INTERVAL_SECONDS,
    heartbeatTimeout: config.HEARTBEAT_TIMEOUT_SECONDS,
    retryPolicy: {
      enabled: true,
      retries: 3,
      delay: 100,
      maxDelay: 1000,
      factor: 2,
      check: (err: Error) => NEVER_DELIVERED.has(err.name),
    },
    circuitBreaker: {
      enabled: true,
      threshold: 0.5,
      minRequestCount: 20,
      windowTime: 60,
      halfOpenTime: 10_000,
      check: (err: Error) => ((err as { code?: number }).code ?? 500) >= 500,
    },
    registry: { strategy: 'RoundRobin', preferLocal: true },
    // runNode stops the broker itself, after the drain and the HTTP server; Moleculer's own
    // signal handlers would stop it and exit at once, cutting requests in flight.
    skipProcessEventRegistration: true,
    // Lets stop() wait for calls in flight, so a restart drops no request.
    tracking: { enabled: true, shutdownTimeout: 10_000 },
    validator: new AjvValidator(),
    middlewares: [
      requestLogging(logger),
      ...(config.NATS_URL
        ? [natsBalancedCalls(logger), cancelServiceChangeNoticeAtStop()]
        : [holdLocalEventsWhileStarting()]),
      ...middlewares,
    ],
  };
  const broker = new ServiceBroker(options);
  // Moleculer measures the host's CPU before every heartbeat (three `os.cpus()` reads 100 ms apart,
  // two timers), for its CPU-usage balancing strategy only: about 1 ms of CPU per second of an idle
  // process here. The registry balances round-robin, and over NATS the server does
  // (`disableBalancer`), so no node reads the figure; heartbeats carry 0.
  broker.getCpuUsage = async () => ({ avg: 0, usages: [] });
  return broker;
}
