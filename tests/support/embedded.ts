import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, REPO_ROOT, startProcess, type RunningProcess } from './processes';
import { apiClient, type Api } from '@ticketpro/shared/testing';

/**
 * Variables that would take the embedded mode elsewhere, blanked: the configuration reads an
 * empty value as unset, and a developer's .env cannot fill them back in.
 */
const EMBEDDED_DEFAULTS = {
  NATS_URL: '',
  DATABASE_URL: '',
  IDENTITY_DATABASE_URL: '',
  CATALOG_DATABASE_URL: '',
  ORDERING_DATABASE_URL: '',
  TICKETING_DATABASE_URL: '',
  NOTIFICATIONS_DATABASE_URL: '',
  // Test files run in parallel on two cores: slow event-loop turns are the machine's, not
  // overload (shedding has tests of its own; /health, which these wait for, is never shed).
  LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0',
  // Sign-ups hash at the test cost (see the cluster's settings), which identity allows only under NODE_ENV=test.
  NODE_ENV: 'test',
  PASSWORD_HASH_COST: 'test',
};

export interface HealthAnswer {
  status: number;
  body: any;
}

export interface EmbeddedProcess {
  process: RunningProcess;
  api: Api;
  /** What `/health` answered before its first 200 (connections refused before it listened are left out). */
  answersWhileStarting: HealthAnswer[];
}

/**
 * `npm start` (the embedded mode: every service and the gateway in one process), on `port`, with
 * its data under `dataDir`; resolves once `/health` answers 200. `env` adds settings, e.g.
 * DATABASE_URL to run it on Postgres instead of PGlite.
 *
 * `build`: run its `prestart` build too, as a user's `npm start` does. Off by default: the e2e
 * project's globalSetup has built these very sources once for the run, and the build, 3–10 s on
 * a loaded machine, would otherwise delay every start of every file again.
 */
export async function startNpmStart(
  port: number,
  dataDir: string,
  env: Record<string, string> = {},
  { build = false }: { build?: boolean } = {},
): Promise<EmbeddedProcess> {
  // npm runs the named script but not its pre- and post-scripts under --ignore-scripts.
  const running = startProcess('npm start', 'npm', build ? ['start'] : ['start', '--ignore-scripts'], {
    cwd: REPO_ROOT,
    env: { ...EMBEDDED_DEFAULTS, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const answersWhileStarting: HealthAnswer[] = [];
  const deadline = Date.now() + 120_000;
  for (;;) {
    const answer = await fetch(`${baseUrl}/health`).then(
      async (res): Promise<HealthAnswer> => ({ status: res.status, body: await res.json().catch(() => undefined) }),
      () => undefined,
    );
    if (answer?.status === 200) break;
    if (answer) answersWhileStarting.push(answer);
    if (running.child.exitCode !== null || Date.now() > deadline) {
      await running.stop('SIGKILL');
      throw new Error(
        `npm start did not become healthy; last answer ${JSON.stringify(answer)}\n${running.output().slice(-4000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { process: running, api: apiClient(baseUrl), answersWhileStarting };
}

/** `npm start` in a data directory of its own, which a test can stop and start again. */
export interface EmbeddedNode {
  baseUrl: string;
  api: Api;
  /** Starts (again) and resolves once /health answers 200; answers what /health said before that. */
  start(): Promise<EmbeddedProcess>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

/** `extraEnv` may depend on the node's own URL (a provider's callback URL names it). */
export async function embeddedNode(
  label: string,
  extraEnv: Record<string, string> | ((baseUrl: string) => Record<string, string>) = {},
): Promise<EmbeddedNode> {
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
      const started = await startNpmStart(port, dataDir, typeof extraEnv === 'function' ? extraEnv(baseUrl) : extraEnv);
      running = started.process;
      return started;
    },
    stop,
    async destroy() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
