import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import {
  createTestDatabase,
  testNatsUrl,
  assertNatsReachable,
  uniqueName,
  type TestDatabase,
  apiClient,
  waitFor,
  type Api,
} from '@ticketpro/shared/testing';
import { SERVICE_NAMES, type ServiceName } from '@ticketpro/shared';
import { freePort, startBundle, type RunningProcess } from './processes';

export interface Cluster {
  baseUrl: string;
  api: Api;
  env: Record<string, string>;
  processes: RunningProcess[];
  /** Starts one more process of a service (or another gateway) in this cluster; `extraEnv` for that process only. */
  startService(role: ServiceName, extraEnv?: Record<string, string>): Promise<RunningProcess>;
  startGateway(extraEnv?: Record<string, string>): Promise<{ process: RunningProcess; baseUrl: string; api: Api }>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Processes of each service, started together (default 1). */
  instances?: number;
  /** The first gateway's port, when a setting must name it before it starts (a provider's callback URL). */
  gatewayPort?: number;
}

/**
 * The distributed mode for real: each service and the gateway as its own process (its bundle, as
 * `npm run start:<service>` runs it), talking over
 * NATS, on a fresh Postgres database, with a namespace and event stream of their own.
 * `extraEnv.NATS_URL` puts the cluster on another NATS server than the shared test one.
 */
export async function startCluster(
  label: string,
  extraEnv: Record<string, string> = {},
  { instances = 1, gatewayPort }: ClusterOptions = {},
): Promise<Cluster> {
  const natsUrl = extraEnv.NATS_URL ?? testNatsUrl();
  await assertNatsReachable(natsUrl);
  const database: TestDatabase = await createTestDatabase(label);
  const cwd = mkdtempSync(path.join(os.tmpdir(), `ticketpro-${label}-`));
  const id = uniqueName(label);
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    DATABASE_URL: database.url,
    NATS_URL: natsUrl,
    NAMESPACE: id,
    EVENT_SUBJECT_PREFIX: id,
    EVENT_STREAM: id.toUpperCase(),
    RATE_LIMIT_LOGIN: '1000',
    RATE_LIMIT_LOGIN_FAILURES: '1000',
    RATE_LIMIT_REGISTER: '1000',
    RATE_LIMIT_REFRESH: '1000',
    // A test file's few buyers place far more orders than people would: the limits on what a user
    // may hold unpaid are off unless a test turns them on.
    MAX_PENDING_ORDERS_PER_USER: '0',
    MAX_PENDING_UNITS_PER_EVENT: '0',
    // Load and chaos tests send thousands of orders from a few accounts, over many connections.
    RATE_LIMIT_WRITES: '0',
    HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0',
    // Many processes share two cores here: slow event-loop turns are the machine's, not overload.
    LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0',
    // Hundreds of sign-ups per file: at OWASP's cost their hashing took much of the two cores. A
    // test whose scenario needs slow sign-ups or logins (requests in flight at a kill) sets `owasp`.
    PASSWORD_HASH_COST: 'test',
    ...extraEnv,
  };
  const processes: RunningProcess[] = [];

  /** Starts one process of a registered service, from its bundle, `services/<name>/dist/main.js`. */
  const startService = async (role: ServiceName, serviceEnv: Record<string, string> = {}) => {
    const proc = startBundle(role, `services/${role}/dist/main.js`, { env: { ...env, ...serviceEnv }, cwd });
    processes.push(proc);
    await withTimeout(proc.ready, 60_000, () => `${role} was not ready within 60 s:\n${proc.output().slice(-4000)}`);
    return proc;
  };
  /** Starts a gateway; `healthy()` resolves once its /health answers 200, i.e. every service answers it. */
  const launchGateway = async (gatewayEnv: Record<string, string> = {}, chosenPort?: number) => {
    const port = chosenPort ?? (await freePort());
    const proc = startBundle('gateway', 'services/gateway/dist/main.js', {
      env: { ...env, ...gatewayEnv, PORT: String(port), HOST: '127.0.0.1' },
      cwd,
    });
    processes.push(proc);
    const url = `http://127.0.0.1:${port}`;
    // A gateway that exited (its port taken, say) is reported with what it printed, not waited for.
    const healthy = () =>
      Promise.race([
        waitFor(`${url}/health`, (status) => status === 200),
        proc.ready.then(() => new Promise<never>(() => undefined)),
      ]).catch((err: Error) => {
        throw new Error(`${err.message}\ngateway output:\n${proc.output().slice(-4000)}`);
      });
    return { process: proc, baseUrl: url, api: apiClient(url), healthy };
  };
  const startGateway = async (gatewayEnv: Record<string, string> = {}, chosenPort?: number) => {
    const { healthy, ...gateway } = await launchGateway(gatewayEnv, chosenPort);
    await healthy();
    return gateway;
  };
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await dropStream(env.NATS_URL, env.EVENT_STREAM);
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  };

  try {
    // The gateway starts beside the services, not after them: its start no longer runs alone on
    // one core while the other waits (7–20 s less per cluster at load 14–27). Its /health answers
    // 200 only once every service answers, and that wait begins, as before, when they are ready.
    const [, gateway] = await Promise.all([
      Promise.all(SERVICE_NAMES.flatMap((role) => Array.from({ length: instances }, () => startService(role)))),
      launchGateway({}, gatewayPort),
    ]);
    await gateway.healthy();
    return { baseUrl: gateway.baseUrl, api: gateway.api, env, processes, startService, startGateway, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message())), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function dropStream(url: string, stream: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}
