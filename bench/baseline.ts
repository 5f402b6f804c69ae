import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startEntry } from '@ticketpro/tests/support/processes';
import { apiClient } from '@ticketpro/tests/support/http';
import type { SingleProcess } from './embedded';
import type { Teardown } from './teardown';

/** The baseline server (bench/baseline-server.ts) on the database that holds catalog's tables. */
export async function startBaseline(databaseUrl: string, poolMax: number, teardown: Teardown): Promise<SingleProcess> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'ticketpro-bench-baseline-'));
  teardown.add('remove the baseline working directory', async () => rmSync(cwd, { recursive: true, force: true }));
  const port = await freePort();
  const proc = startEntry('baseline', 'bench/baseline-server.ts', {
    env: { DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: String(poolMax), PORT: String(port), HOST: '127.0.0.1' },
    cwd,
  });
  teardown.add('stop the baseline server', () => proc.stop());
  await proc.ready;
  const baseUrl = `http://127.0.0.1:${port}`;
  return { process: proc, baseUrl, api: apiClient(baseUrl) };
}
