/**
 * `npm run embedded:template`: makes the cluster a first `npm start` copies instead of running
 * initdb (shared/src/embedded-template.ts), by the same initdb a start without it runs, and
 * writes it with its stamp to shared/embedded-template/. Run it after upgrading PGlite or changing
 * the embedded settings; until then starts run initdb, and a test says the template is stale.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClusters, EMBEDDED_SETTINGS } from '../src/embedded-postgres';
import { EMBEDDED_TEMPLATE_DIR, writeTemplate } from '../src/embedded-template';

async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'ticketpro-embedded-template-'));
  try {
    const cluster = path.join(workDir, 'cluster');
    await createClusters(workDir, [cluster], undefined);
    await writeTemplate(cluster, EMBEDDED_SETTINGS, EMBEDDED_TEMPLATE_DIR);
    process.stderr.write(`embedded:template: written to ${EMBEDDED_TEMPLATE_DIR}\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
