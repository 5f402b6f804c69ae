import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startEntry } from '@ticketpro/tests/support/processes';
import type { SingleProcess } from './embedded';
import type { Teardown } from './teardown';
import { apiClient } from '@ticketpro/shared/testing';

/**
 * One of the bench's own single-process servers (`entry`, e.g. bench/baseline-server.ts) with
 * `env`, on a free port, stopped by `teardown`.
 */
export async function startBenchServer(
  name: string,
  entry: string,
  env: Record<string, string>,
  teardown: Teardown,
): Promise<SingleProcess> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), `ticketpro-bench-${name}-`));
  teardown.add(`remove the ${name} working directory`, async () => rmSync(cwd, { recursive: true, force: true }));
  const port = await freePort();
  const proc = startEntry(name, entry, { env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, cwd });
  teardown.add(`stop the ${name} server`, () => proc.stop());
  await proc.ready;
  const baseUrl = `http://127.0.0.1:${port}`;
  return { process: proc, baseUrl, api: apiClient(baseUrl) };
}

/** The read path's baseline server (bench/baseline-server.ts) on the database that holds catalog's tables. */
export function startBaseline(databaseUrl: string, poolMax: number, teardown: Teardown): Promise<SingleProcess> {
  return startBenchServer(
    'baseline',
    'bench/baseline-server.ts',
    { DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: String(poolMax) },
    teardown,
  );
}

/** Checkout's baseline server (bench/monolith-checkout-server.ts), verifying tokens with `jwtPublicKey`. */
export function startMonolith(
  clusterEnv: Record<string, string>,
  jwtPublicKey: string,
  poolMax: number,
  teardown: Teardown,
): Promise<SingleProcess> {
  return startBenchServer(
    'monolith',
    'bench/monolith-checkout-server.ts',
    {
      DATABASE_URL: clusterEnv.DATABASE_URL,
      DATABASE_POOL_MAX: String(poolMax),
      JWT_PUBLIC_KEY: jwtPublicKey,
      ...(clusterEnv.ORDER_HOLD_SECONDS ? { ORDER_HOLD_SECONDS: clusterEnv.ORDER_HOLD_SECONDS } : {}),
    },
    teardown,
  );
}
