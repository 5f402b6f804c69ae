import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import { databaseUrlFor, type Config, type ServiceName } from './config';
import { usableTemplate } from './embedded-template';

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
export const EMBEDDED_SETTINGS = ['-c', 'shared_buffers=4MB'];

/** Opens the service's cluster under `dataDir`, creating it on the first start. */
export async function openEmbeddedPostgres(dataDir: string, name: string): Promise<PGlite> {
  const [{ PGlite }, [directory], pgliteWasmModule] = await Promise.all([
    import('@electric-sql/pglite'),
    Promise.all(clustersOf(dataDir, [name])),
    compiledPglite(),
  ]);
  const pglite = new PGlite(directory, {
    startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS],
    pgliteWasmModule,
  });
  await pglite.waitReady;
  return pglite;
}

/**
 * Starts creating the clusters of `names` that do not exist yet, without waiting: initdb runs in
 * a child process, so on a first start it takes the other core while this one loads the process
 * and builds the gateway, instead of starting only once the services open their databases. Their
 * `openEmbeddedPostgres` then waits for the cluster begun here. A failure is theirs to report.
 */
export function prepareEmbeddedClusters(dataDir: string, names: readonly string[]): void {
  for (const ready of clustersOf(dataDir, names)) ready.catch(() => undefined);
}

/** Begins creating the embedded databases of those `services` that have no Postgres URL (see `prepareEmbeddedClusters`). */
export function prepareEmbeddedDatabases(config: Config, services: readonly ServiceName[]): void {
  const embedded = services.filter((service) => !databaseUrlFor(config, service));
  if (embedded.length > 0) prepareEmbeddedClusters(config.DATA_DIR, embedded);
}

/**
 * PGlite caches its compiled WebAssembly only once a compile has finished, so six instances
 * opening together compiled the same 9 MB module six times, all on this thread. Compiled once
 * and handed to each instance, it is one compile, and one copy of the code in memory.
 */
let pgliteCompile: Promise<WebAssembly.Module> | undefined;

function compiledPglite(): Promise<WebAssembly.Module> {
  pgliteCompile ??= readFile(path.join(path.dirname(require.resolve('@electric-sql/pglite')), 'pglite.wasm')).then(
    (bytes) => WebAssembly.compile(bytes),
  );
  return pgliteCompile;
}

/** Each cluster's check-and-create in flight, shared by whoever asks meanwhile. */
const clusters = new Map<string, Promise<string>>();

/**
 * The directories of `names`' clusters, each once it holds a database. The missing ones asked
 * for together are created by one child process: one cluster (the template's, or initdb's),
 * copied for each.
 */
function clustersOf(dataDir: string, names: readonly string[]): Promise<string>[] {
  const directories = names.map((name) => path.resolve(dataDir, name));
  const unasked = directories.filter((directory) => !clusters.has(directory));
  if (unasked.length > 0) {
    const checked = unasked.map(holdsCluster);
    const created = Promise.allSettled(checked).then((states) => {
      const missing = unasked.filter((_, i) => {
        const state = states[i];
        return state.status === 'fulfilled' && !state.value;
      });
      if (missing.length === 0) return undefined;
      return usableTemplate(EMBEDDED_SETTINGS).then((archive) =>
        createClusters(path.resolve(dataDir), missing, archive),
      );
    });
    unasked.forEach((directory, i) => {
      const ready = checked[i].then(async () => {
        await created;
        return directory;
      });
      clusters.set(directory, ready);
      void ready.finally(() => clusters.delete(directory)).catch(() => undefined);
    });
  }
  return directories.map((directory) => clusters.get(directory)!);
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
 * `node -e` script: argv[1] is PGlite's entry point, argv[2] tar's, argv[3] the template's archive
 * ('' for none), argv[4] the embedded settings (JSON), argv[5] the data directory, the rest the
 * clusters to create. One cluster is made in a fresh `.initdb-*` directory there, from the
 * template when there is one that fits (embedded-template.ts), else by initdb, which is also what
 * an archive that does not extract falls back to; it is then copied beside each cluster's place
 * and renamed into it, so that a crash midway leaves no half cluster. The copy is the native
 * `cpSync` (fs/promises' `cp` took about six times its CPU). initdb runs with the embedded
 * settings and writes them into the clusters' postgresql.conf: with its default 128 MB of shared
 * buffers it took ~0.9 s more CPU, of about 6 s.
 */
const CREATE_CLUSTERS_SCRIPT = `
const { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync } = require('node:fs');
const path = require('node:path');
const [pgliteEntry, tarEntry, archive, settingsJson, dataDir, ...clusters] = process.argv.slice(1);
const settings = JSON.parse(settingsJson);
mkdirSync(dataDir, { recursive: true });
const template = mkdtempSync(path.join(dataDir, '.initdb-'));
function extract() {
  require(tarEntry).x({ file: archive, cwd: template, sync: true, strict: true, brotli: true, noMtime: true });
}
async function initdb() {
  const { PGlite } = require(pgliteEntry);
  const pglite = new PGlite(template, {
    initDbStartParams: settings,
    startParams: [...PGlite.defaultStartParams, ...settings],
  });
  await pglite.waitReady;
  await pglite.close();
}
async function makeTemplate() {
  if (!archive) return initdb();
  try {
    extract();
  } catch (err) {
    console.error('the embedded template did not extract, running initdb instead:', err);
    rmSync(template, { recursive: true, force: true });
    mkdirSync(template);
    await initdb();
  }
}
makeTemplate()
  .then(() => {
    for (const cluster of clusters) {
      const staging = cluster + '.creating';
      rmSync(staging, { recursive: true, force: true });
      cpSync(template, staging, { recursive: true });
      rmSync(cluster, { recursive: true, force: true });
      renameSync(staging, cluster);
    }
  })
  .catch((err) => { console.error(err); process.exitCode = 1; })
  .finally(() => rmSync(template, { recursive: true, force: true }));
`;

/**
 * Creates `clusterDirectories` from `archive` (the template's, when one fits) or else by initdb,
 * in a child process: in this one, initdb would leave ~260 MB resident for good (PGlite keeps the
 * closed instance's WebAssembly memory reachable), a third of the first start's size, and either
 * way the work stays off the thread that starts the services.
 */
export async function createClusters(
  dataDir: string,
  clusterDirectories: readonly string[],
  archive: string | undefined,
): Promise<void> {
  await promisify(execFile)(process.execPath, [
    '--liftoff-only',
    '-e',
    CREATE_CLUSTERS_SCRIPT,
    require.resolve('@electric-sql/pglite'),
    require.resolve('tar'),
    archive ?? '',
    JSON.stringify(EMBEDDED_SETTINGS),
    dataDir,
    ...clusterDirectories,
  ]);
}
