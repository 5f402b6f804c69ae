import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, apiClient, type Api } from '@ticketpro/shared/testing';
import { freePort, startEntry, type RunningProcess } from '@ticketpro/tests/support/processes';
import type { Teardown } from './teardown';

export interface SingleProcess {
  process: RunningProcess;
  baseUrl: string;
  api: Api;
}

export interface EmbeddedProcess extends SingleProcess {
  /** Its database of its own, whose Postgres backends serve only it. */
  databaseUrl: string;
}

/**
 * The embedded mode (`services/gateway/src/main-embedded.ts`: gateway and the four services in
 * one process, no transporter) on real Postgres, in a database of its own, configured like the
 * cluster it is compared with.
 */
export async function startEmbedded(clusterEnv: Record<string, string>, teardown: Teardown): Promise<EmbeddedProcess> {
  const database = await createTestDatabase('bench_embedded');
  teardown.add('drop the embedded database', () => database.drop());
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'ticketpro-bench-embedded-'));
  teardown.add('remove the embedded working directory', async () => rmSync(cwd, { recursive: true, force: true }));
  const port = await freePort();
  const proc = startEntry('embedded', 'services/gateway/src/main-embedded.ts', {
    // An empty NATS_URL counts as unset: no transporter, every call stays in the process.
    env: { ...clusterEnv, NATS_URL: '', DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1' },
    cwd,
  });
  teardown.add('stop the embedded process', () => proc.stop());
  await proc.ready;
  const baseUrl = `http://127.0.0.1:${port}`;
  return { process: proc, baseUrl, api: apiClient(baseUrl), databaseUrl: database.url };
}
