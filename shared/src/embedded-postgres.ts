import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';

/**
 * Embedded PostgreSQL (PGlite) for the embedded mode: a database cluster of its own per service
 * under `DATA_DIR/<service>`. Each is a separate single-connection instance on purpose: services
 * call each other while in a transaction (ordering's cancel calls catalog while it holds the
 * order's row lock), and on one shared connection the callee would wait for the caller for ever.
 */

/**
 * Postgres's default `shared_buffers` (128 MB) is allocated and written through when an instance
 * starts, in every instance: with six of them it was most of the embedded process's memory. A
 * service's data here is small, and its files sit in the operating system's cache anyway: each
 * instance measured ~45 MB resident with 16 MB of buffers, ~32 MB with 4 MB.
 */
const EMBEDDED_SETTINGS = ['-c', 'shared_buffers=4MB'];

/** Opens the service's cluster under `dataDir`, creating it on the first start. */
export async function openEmbeddedPostgres(dataDir: string, name: string): Promise<PGlite> {
  const [{ PGlite }, directory] = await Promise.all([import('@electric-sql/pglite'), ensureCluster(dataDir, name)]);
  const pglite = new PGlite(directory, { startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS] });
  await pglite.waitReady;
  return pglite;
}

/**
 * Starts creating the clusters of `names` that do not exist yet, without waiting: initdb runs in
 * a child process, so on a first start it takes the other core while this one builds the
 * gateway, instead of starting only once the services open their databases. Their
 * `openEmbeddedPostgres` then waits for the cluster begun here. A failure is theirs to report.
 */
export function prepareEmbeddedClusters(dataDir: string, names: readonly string[]): void {
  for (const name of names) ensureCluster(dataDir, name).catch(() => undefined);
}

/** Each cluster's check-and-create in flight, shared by whoever asks meanwhile. */
const clusters = new Map<string, Promise<string>>();

function ensureCluster(dataDir: string, name: string): Promise<string> {
  const directory = path.resolve(dataDir, name);
  let ready = clusters.get(directory);
  if (!ready) {
    ready = holdsCluster(directory).then(async (exists) => {
      if (!exists) await createCluster(path.resolve(dataDir), directory);
      return directory;
    });
    clusters.set(directory, ready);
    void ready.finally(() => clusters.delete(directory)).catch(() => undefined);
  }
  return ready;
}

async function holdsCluster(directory: string): Promise<boolean> {
  const entries = await readdir(directory).catch((): string[] => []);
  if (entries.includes('PG_VERSION')) return true;
  if (entries.length > 0) {
    throw new Error(
      `${directory} holds files but no database (no PG_VERSION): move it away, and a new database is created there`,
    );
  }
  return false;
}

/**
 * Fresh clusters are copies of one `initdb` per process, made in `DATA_DIR/.initdb` when the
 * first service needs it and removed once no service is copying it: initdb is most of a first
 * start's work, and the services starting together would otherwise each run their own.
 */
const templates = new Map<string, { ready: Promise<string>; users: number }>();

async function createCluster(dataDir: string, directory: string): Promise<void> {
  let template = templates.get(dataDir);
  if (!template) {
    template = { ready: initdb(path.join(dataDir, '.initdb')), users: 0 };
    templates.set(dataDir, template);
  }
  template.users++;
  try {
    // Copied beside its place and renamed into it, so that a crash midway leaves no half cluster.
    const staging = `${directory}.creating`;
    await rm(staging, { recursive: true, force: true });
    await cp(await template.ready, staging, { recursive: true });
    await rm(directory, { recursive: true, force: true });
    await rename(staging, directory);
  } finally {
    if (--template.users === 0) {
      templates.delete(dataDir);
      await template.ready.then((made) => rm(made, { recursive: true, force: true })).catch(() => undefined);
    }
  }
}

/** `node -e` script: argv[1] is PGlite's entry point, argv[2] the empty cluster directory. */
const INITDB_SCRIPT = `
const { PGlite } = require(process.argv[1]);
const pglite = new PGlite(process.argv[2]);
pglite.waitReady.then(() => pglite.close()).catch((err) => { console.error(err); process.exit(1); });
`;

/**
 * initdb runs in a child process: in this one it would leave ~260 MB resident for good (PGlite
 * keeps the closed instance's WebAssembly memory reachable), a third of the first start's size.
 */
async function initdb(directory: string): Promise<string> {
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  await promisify(execFile)(process.execPath, [
    '--liftoff-only',
    '-e',
    INITDB_SCRIPT,
    require.resolve('@electric-sql/pglite'),
    directory,
  ]);
  return directory;
}
