import { REPO_ROOT, startProcess, type RunningProcess } from './processes';
import { waitFor } from './http';

/**
 * The embedded mode exactly as `npm start` runs it: one process, no NATS, no Postgres, each
 * service on PGlite under `dataDir`. Variables that would point it elsewhere are blanked, which
 * the configuration reads as unset (and a developer's .env cannot fill them back in). Resolves
 * once `/health` answers 200 on `port`.
 */
export async function startEmbedded(dataDir: string, port: number): Promise<RunningProcess> {
  const running = startProcess('npm start', 'npm', ['start'], {
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
    },
  });
  await waitFor(`http://127.0.0.1:${port}/health`, (status) => status === 200, 120_000).catch(async (err) => {
    const output = running.output().slice(-4000);
    await running.stop();
    throw new Error(`${err.message}\n${output}`);
  });
  return running;
}
