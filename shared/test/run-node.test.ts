import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startEntry, type RunningProcess } from '@ticketpro/tests/support/processes';

jest.setTimeout(60_000);

const DRAIN_MS = 800;

/** A node's shutdown, seen from outside: its ops endpoints, its exit, and its log's order. */
describe('runNode: shutdown on SIGTERM', () => {
  let cwd: string;
  let target: RunningProcess | undefined;

  beforeAll(() => {
    // A scratch working directory, so that no developer's .env reaches the node.
    cwd = mkdtempSync(path.join(os.tmpdir(), 'ticketpro-run-node-'));
  });
  afterAll(async () => {
    await target?.stop('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });

  const readiness = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
    return { status: res.status, body: await res.json() };
  };

  it('turns not ready, drains, closes the attachment, stops the services, then exits 0', async () => {
    const opsPort = await freePort();
    target = startEntry('target', 'shared/test/support/node-target.ts', {
      env: { LOG_LEVEL: 'info', HOST: '127.0.0.1', OPS_PORT: String(opsPort), SHUTDOWN_DRAIN_MS: String(DRAIN_MS) },
      cwd,
    });
    await target.ready;
    expect(await readiness(opsPort)).toEqual({ status: 200, body: { status: 'ok' } });

    const signalledAt = Date.now();
    const exited = target.stop('SIGTERM');
    let seen = await readiness(opsPort);
    while (seen.status === 200) seen = await readiness(opsPort);
    expect(seen).toEqual({ status: 503, body: { status: 'draining' } });
    expect(await exited).toBe(0);
    // Moleculer's own signal handler would have stopped the broker and exited at once.
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(DRAIN_MS);

    const lines = target
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; readiness?: string });
    const order = [
      'shutting down',
      'draining before stopping',
      'attachment closing',
      'attachment closed',
      'service stopped',
    ];
    const positions = order.map((msg) => lines.findIndex((line) => line.msg === msg));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(lines.find((line) => line.msg === 'attachment closing')?.readiness).toBe('draining');
  });
});
