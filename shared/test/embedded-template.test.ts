import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extract } from 'tar';
import { createClusters, EMBEDDED_SETTINGS } from '../src/embedded-postgres';
import { currentStamp, usableTemplate } from '../src/embedded-template';

/** Files two initdb runs write differently: the cluster's identity and times, and the WAL recording them. */
const DIFFER_BY_RUN = ['global/pg_control', 'pg_wal/000000010000000000000001'];

/** Every file of a cluster with its SHA-256 (or only its size for those that differ by run). */
function contentsOf(cluster: string): Record<string, string> {
  const files = readdirSync(cluster, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(path.join(cluster, file)).isFile())
    .sort();
  return Object.fromEntries(
    files.map((file) => {
      const bytes = readFileSync(path.join(cluster, file));
      return [
        file,
        DIFFER_BY_RUN.includes(file) ? `${bytes.length} bytes` : createHash('sha256').update(bytes).digest('hex'),
      ];
    }),
  );
}

/** The cluster's system identifier, which initdb draws anew each run: the first 8 bytes of pg_control. */
function systemIdentifierOf(cluster: string): string {
  return readFileSync(path.join(cluster, 'global', 'pg_control'))
    .subarray(0, 8)
    .toString('hex');
}

describe('the embedded cluster template', () => {
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'ticketpro-template-'));
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('is stamped with the installed PGlite and the embedded settings (else: npm run embedded:template)', async () => {
    expect(await usableTemplate(EMBEDDED_SETTINGS)).toMatch(/cluster\.tar\.br$/);
  });

  it('is not used when its stamp names another PGlite or other settings, or is missing', async () => {
    const stale = path.join(workDir, 'stale');
    await mkdir(stale);
    await writeFile(path.join(stale, 'cluster.tar.br'), 'an archive');
    await writeFile(
      path.join(stale, 'stamp.json'),
      JSON.stringify({ ...currentStamp(EMBEDDED_SETTINGS), pglite: '0.0.1' }),
    );
    expect(await usableTemplate(EMBEDDED_SETTINGS, stale)).toBeUndefined();
    await writeFile(path.join(stale, 'stamp.json'), JSON.stringify(currentStamp(EMBEDDED_SETTINGS)));
    expect(await usableTemplate(EMBEDDED_SETTINGS, stale)).toBe(path.join(stale, 'cluster.tar.br'));
    expect(await usableTemplate(['-c', 'shared_buffers=8MB'], stale)).toBeUndefined();
    expect(await usableTemplate(EMBEDDED_SETTINGS, path.join(workDir, 'nowhere'))).toBeUndefined();
  });

  it('makes the clusters initdb makes now, but for their identity, and initdb runs without it', async () => {
    const archive = (await usableTemplate(EMBEDDED_SETTINGS))!;
    const fromTemplate = path.join(workDir, 'from-template');
    const byInitdb = path.join(workDir, 'by-initdb');
    await Promise.all([
      createClusters(workDir, [fromTemplate], archive),
      createClusters(workDir, [byInitdb], undefined),
    ]);
    const template = path.join(workDir, 'template');
    await mkdir(template);
    await extract({ file: archive, cwd: template, brotli: true });

    expect(contentsOf(fromTemplate)).toEqual(contentsOf(byInitdb));
    expect(Object.keys(contentsOf(byInitdb))).toEqual(expect.arrayContaining(['PG_VERSION', ...DIFFER_BY_RUN]));
    // The first is the template's copy; the second had an initdb of its own.
    expect(systemIdentifierOf(fromTemplate)).toBe(systemIdentifierOf(template));
    expect(systemIdentifierOf(byInitdb)).not.toBe(systemIdentifierOf(template));
  }, 300_000);
});
