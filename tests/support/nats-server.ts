import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startProcess, type RunningProcess } from './processes';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
const READY_LINE = 'Server is ready';
const START_TIMEOUT_MS = 20_000;

/**
 * A nats-server with JetStream of a test's own, on a free port with its own store, so that the
 * test can stop and start it without disturbing the shared server other test files use.
 */
export interface PrivateNatsServer {
  url: string;
  /** Starts the server (again, unless it runs) on the same port and store; resolves once it accepts clients. */
  start(): Promise<void>;
  /** SIGTERM: JetStream writes its store out before the process exits. */
  stop(): Promise<void>;
  /** Stops the server and removes its store. */
  destroy(): Promise<void>;
  /** The running server's process id, for reading its CPU time; undefined while it is stopped. */
  pid(): number | undefined;
}

/** `env`: the server's environment, e.g. `GOMAXPROCS` as deploy/ sets it. */
export async function privateNatsServer(
  label: string,
  { env = {} }: { env?: Record<string, string> } = {},
): Promise<PrivateNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(path.join(os.tmpdir(), `ticketpro-nats-${label}-`));
  let running: RunningProcess | undefined;

  const start = async () => {
    if (running) return;
    const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir];
    const proc = startProcess(`nats-server:${port}`, NATS_SERVER, args, { env, cwd: storeDir });
    running = proc;
    await waitForReadyLine(proc);
  };
  const stop = async () => {
    const proc = running;
    running = undefined;
    await proc?.stop('SIGTERM');
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
    pid: () => running?.child.pid,
  };
}

/** nats-server says when it takes clients; it has no IPC channel to say it otherwise. */
async function waitForReadyLine(proc: RunningProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!proc.output().includes(READY_LINE)) {
    if (proc.child.exitCode !== null)
      throw new Error(`${proc.name} exited (${proc.child.exitCode}):\n${proc.output()}`);
    if (Date.now() > deadline) {
      await proc.stop('SIGKILL');
      throw new Error(`${proc.name} was not ready within ${START_TIMEOUT_MS} ms:\n${proc.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
