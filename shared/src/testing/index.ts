import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig, type Config } from '../config';
import { adminDatabaseUrl, testNatsUrl } from './urls';

export { adminDatabaseUrl, testNatsUrl };
export * from './stand-ins';
export * from './http';
export * from './service-node';
export * from './event-stream';
export * from './timers';
export * from './knex-statements';

export function uniqueName(label: string): string {
  return `${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file, so files can run in parallel. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `tp_${uniqueName(label)}`;
  const admin = adminDatabaseUrl();
  await withClient(admin, async (c) => {
    await c.query(`CREATE DATABASE "${name}"`);
    // A commit then returns before its WAL reaches the disk: a throwaway database loses nothing
    // it needs by that (only a crash of the server itself could drop the last commits, which every
    // session still sees meanwhile), and on a loaded machine each commit no longer waits its turn
    // at fsync.
    await c.query(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
  });
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `Tests need PostgreSQL at ${url} (set TEST_DATABASE_URL to use another): ${(err as Error).message}`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Fails with a plain message when NATS is not running, rather than letting a test hang. */
export async function assertNatsReachable(url = testNatsUrl()): Promise<void> {
  const { hostname, port } = new URL(url);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port || 4222) });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`Tests need NATS with JetStream at ${url} (set TEST_NATS_URL to use another): ${why}`));
    };
    socket.once('timeout', () => fail('timed out'));
    socket.once('error', (err) => fail(err.message));
  });
}

/** Configuration for a test: defaults plus `overrides`, never the developer's `.env`. */
export function testConfig(overrides: Record<string, string | number | boolean | undefined> = {}): Config {
  // Tests share two cores with many processes: a slow turn of the event loop there is the test
  // machine's, not overload to shed (the load-shedding test turns it back on).
  const env: NodeJS.ProcessEnv = {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0',
    // Password hashes at argon2's least memory: sign-ups are most of what many tests set up.
    NODE_ENV: 'test',
    PASSWORD_HASH_COST: 'test',
  };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) env[key] = String(value);
  return loadConfig(env);
}

/** Polls `probe` until it yields a value (not null, undefined or false), for effects that happen after a call returns. */
export async function eventually<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Nothing turned up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
