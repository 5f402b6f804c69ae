import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { constants as zlib, createBrotliCompress } from 'node:zlib';
import { create as createTar } from 'tar';

/**
 * A database cluster as initdb makes it, committed (`npm run embedded:template`), so that a first
 * start copies it instead of running initdb (seconds of CPU; PGlite copies its whole heap before
 * each of initdb's postgres runs). Two initdb runs differ only in `global/pg_control` (the
 * cluster's random system identifier and times) and the WAL that records them, so a cluster made
 * from it is one initdb could have made. It is used only while its stamp matches the installed
 * PGlite and the settings initdb would run with; otherwise a start runs initdb, as before.
 *
 * It lives beside the workspace's sources, not in them: the container image runs on Postgres and
 * copies only the sources, so it carries neither the template nor the need for it.
 */
export const EMBEDDED_TEMPLATE_DIR = path.join(
  path.dirname(require.resolve('@ticketpro/shared/package.json')),
  'embedded-template',
);

/** A tar of the cluster's directory, brotli-compressed (~40 MB of files, most of them zeros or alike). */
const ARCHIVE = 'cluster.tar.br';
const STAMP = 'stamp.json';

/** What made a template: the PGlite release (its initdb and catalogs) and the settings initdb ran with. */
export interface TemplateStamp {
  pglite: string;
  settings: readonly string[];
}

export function currentStamp(settings: readonly string[]): TemplateStamp {
  // Read, not imported: PGlite's package exports no package.json.
  const pglitePackage = path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  const { version } = JSON.parse(readFileSync(pglitePackage, 'utf8')) as { version: string };
  return { pglite: version, settings };
}

/** The template's archive in `directory` if its stamp matches what initdb would run with now, else undefined. */
export async function usableTemplate(
  settings: readonly string[],
  directory = EMBEDDED_TEMPLATE_DIR,
): Promise<string | undefined> {
  const stamp = await readFile(path.join(directory, STAMP), 'utf8').then(
    (text) => JSON.parse(text) as TemplateStamp,
    () => undefined,
  );
  if (!stamp || JSON.stringify(stamp) !== JSON.stringify(currentStamp(settings))) return undefined;
  return path.join(directory, ARCHIVE);
}

/**
 * Writes `cluster` (a directory initdb made with `settings`) as the template in `directory`.
 * Entries sorted, with fixed times and no owners, so the archive depends on the files alone.
 * Brotli at its best with a 16 MB window finds the three databases' alike files in each other:
 * ~1.3 MB where gzip, with its 32 kB window, makes ~4.5 MB.
 */
export async function writeTemplate(cluster: string, settings: readonly string[], directory: string): Promise<void> {
  const entries = readdirSync(cluster, { recursive: true, encoding: 'utf8' }).sort();
  await pipeline(
    createTar({ cwd: cluster, portable: true, mtime: new Date(0), noDirRecurse: true }, entries),
    // Not tar's own `brotli` option, whose type leaves out the parameters.
    createBrotliCompress({
      params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_LGWIN]: 24 },
    }),
    createWriteStream(path.join(directory, ARCHIVE)),
  );
  await writeFile(path.join(directory, STAMP), `${JSON.stringify(currentStamp(settings), null, 2)}\n`);
}
