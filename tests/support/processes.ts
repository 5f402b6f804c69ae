import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** Resolves once the process reports `{ ready }` over IPC (see runNode). */
  ready: Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `command args` with `env` on top of a minimal environment (never the caller's .env). */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string },
): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: { ready?: string }) => {
      if (message?.ready) resolve();
    });
    void exited.then((code) =>
      reject(new Error(`${name} exited (${code}) before it was ready:\n${output.slice(-4000)}`)),
    );
  });
  ready.catch(() => undefined);

  return {
    name,
    child,
    output: () => output,
    ready,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) {
        // The leader is gone; whatever it left behind in its group (an orphaned node) goes too.
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // nothing left
        }
        return child.exitCode;
      }
      // The process group, so that `npm start`'s child goes too.
      process.kill(-child.pid!, signal);
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 15_000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}

// Resolved from the repository, because the processes run in a scratch working directory.
const TSX_LOADER = pathToFileURL(require.resolve('tsx', { paths: [REPO_ROOT] })).href;

/** A TypeScript entry point of the repository, run the way the npm scripts run it. */
export function startEntry(
  name: string,
  entry: string,
  options: { env: Record<string, string>; cwd: string; args?: string[] },
): RunningProcess {
  const args = ['--import', TSX_LOADER, path.join(REPO_ROOT, entry), ...(options.args ?? [])];
  return startProcess(name, process.execPath, args, options);
}

/**
 * A bundle that `npm run build` made (`services/catalog/dist/main.js`, say), run as `npm run
 * start:<service>` and the image run it. Jest's e2e project builds them once per run
 * (build-bundles.ts): tsx would compile the sources again in every process, about a second of CPU
 * per start, and the e2e tests start some two hundred.
 */
export function startBundle(
  name: string,
  bundle: string,
  options: { env: Record<string, string>; cwd: string },
): RunningProcess {
  return startProcess(name, process.execPath, ['--enable-source-maps', path.join(REPO_ROOT, bundle)], options);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
