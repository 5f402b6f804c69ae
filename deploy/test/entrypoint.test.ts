import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES } from '@ticketpro/shared';
import { REPO_ROOT } from './support';

/**
 * deploy/entrypoint.sh with a stand-in `node` first on PATH that prints its process id, its
 * arguments and SERVICE: enough to see which process the image would start, and that the
 * script execs it (same process id) so signals reach node rather than a shell.
 */

const ENTRYPOINT = path.join(REPO_ROOT, 'deploy/entrypoint.sh');
let fakeBin: string;

beforeAll(async () => {
  fakeBin = await mkdtemp(path.join(os.tmpdir(), 'tp-entrypoint-'));
  const fakeNode = path.join(fakeBin, 'node');
  await writeFile(fakeNode, '#!/bin/sh\necho "$$|$*|$SERVICE"\n');
  await chmod(fakeNode, 0o755);
});

afterAll(async () => {
  await rm(fakeBin, { recursive: true, force: true });
});

function runEntrypoint(env: Record<string, string>, args: string[] = []) {
  const child = spawn(ENTRYPOINT, args, { env: { PATH: `${fakeBin}:${process.env.PATH ?? ''}`, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ pid: number; code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ pid: child.pid!, code, stdout: stdout.trim(), stderr })),
  );
}

describe('deploy/entrypoint.sh', () => {
  it('execs node on the compiled main.js SERVICE names, in the same process', async () => {
    const result = await runEntrypoint({ SERVICE: 'ordering' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${result.pid}|--enable-source-maps services/ordering/dist/main.js|ordering`);
  });

  it('takes the process from the command before SERVICE, and exports it for the health check', async () => {
    const result = await runEntrypoint({ SERVICE: 'ordering' }, ['gateway']);
    expect(result.stdout).toBe(`${result.pid}|--enable-source-maps services/gateway/dist/main.js|gateway`);
  });

  it.each([
    [{}, []],
    [{ SERVICE: 'billing' }, []],
    [{}, ['../../etc/passwd']],
  ] as const)('refuses to start without a known process (env %j, command %j)', async (env, args) => {
    const result = await runEntrypoint(env, [...args]);
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`SERVICE=${['gateway', ...SERVICE_NAMES].join('|')}`);
  });
});
