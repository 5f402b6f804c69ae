import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, REPO_ROOT, startProcess, type RunningProcess } from './processes';
import { apiClient, waitFor, type Api } from './http';

/** `npm start` in a data directory of its own, which a test can stop and start again. */
export interface EmbeddedNode {
  baseUrl: string;
  api: Api;
  /** Starts (again) and resolves once /health answers 200. */
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

/**
 * The embedded mode exactly as `npm start` runs it: one process, no NATS, no Postgres, each
 * service on PGlite under DATA_DIR. Variables that would point it elsewhere are blanked, which
 * the configuration reads as unset (and a developer's .env cannot fill them back in).
 */
export async function embeddedNode(label: string, extraEnv: Record<string, string> = {}): Promise<EmbeddedNode> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `ticketpro-${label}-`));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let running: RunningProcess | undefined;

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    await running?.stop(signal);
    running = undefined;
  };
  return {
    baseUrl,
    api: apiClient(baseUrl),
    async start() {
      running = startProcess('npm start', 'npm', ['start'], {
        cwd: REPO_ROOT,
        env: {
          PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          NATS_URL: '',
          DATABASE_URL: '',
          IDENTITY_DATABASE_URL: '',
          CATALOG_DATABASE_URL: '',
          ORDERING_DATABASE_URL: '',
          TICKETING_DATABASE_URL: '',
          ...extraEnv,
        },
      });
      await waitFor(`${baseUrl}/health`, (status) => status === 200, 120_000).catch((err) => {
        throw new Error(`${err.message}\n${running?.output().slice(-4000)}`);
      });
    },
    stop,
    async destroy() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
