/**
 * One start of services on embedded PGlite, run by db.test.ts as a process of its own: PGlite
 * loads parts of itself with dynamic import(), which jest's module sandbox refuses. Opens the
 * databases of the schemas given (together, as the embedded mode's services do) under the data
 * directory given, reports what it found, adds a note to each and closes.
 *
 * Usage: embedded-start.ts <dataDir> <note> [schema,schema,…] [--legacy] [--prepare]
 * `--legacy` first creates each database the way the embedded mode did before 0.1.0 (knex-pglite opening
 * `dataDir/<schema>` itself: initdb in place, PGlite's default settings) with a row in
 * `public.legacy_notes`, then closes it. `--prepare` begins the databases with
 * `prepareEmbeddedClusters` before opening them, as `npm start` does.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { createDatabase, prepareEmbeddedClusters } from '@ticketpro/shared';
import { notesMigration } from './notes-migration';

export interface EmbeddedStartReport {
  schema: string;
  tables: string[];
  migrationRuns: number;
  notesFound: string[];
  sharedBuffers: string;
  /** What `--legacy` left in the database before this start. */
  legacyNotes: string[];
}

async function openAndReport(dataDir: string, schema: string, note: string): Promise<EmbeddedStartReport> {
  const migration = notesMigration();
  const db = await createDatabase({ schema, dataDir, migrations: [migration] });
  try {
    const report: EmbeddedStartReport = {
      schema: (await db.raw('select current_schema() as s')).rows[0].s,
      tables: await db('information_schema.tables')
        .where('table_schema', schema)
        .orderBy('table_name')
        .pluck('table_name'),
      migrationRuns: migration.runs,
      notesFound: await db('notes').orderBy('id').pluck('body'),
      sharedBuffers: (await db.raw('show shared_buffers')).rows[0].shared_buffers,
      legacyNotes: (await db.raw("select to_regclass('public.legacy_notes') as t")).rows[0].t
        ? await db('public.legacy_notes').pluck('body')
        : [],
    };
    await db('notes').insert({ body: note });
    return report;
  } finally {
    await db.destroy();
  }
}

async function createTheOldWay(dataDir: string, schema: string, note: string): Promise<void> {
  const filename = path.resolve(dataDir, schema);
  await rm(filename, { recursive: true, force: true });
  await mkdir(filename, { recursive: true });
  const knex = knexFactory({ client: ClientPgLite, dialect: 'postgres', connection: { filename } } as Knex.Config);
  try {
    await knex.raw('CREATE TABLE public.legacy_notes (body text NOT NULL)');
    await knex('public.legacy_notes').insert({ body: note });
  } finally {
    await knex.destroy();
  }
}

async function main(args: string[]): Promise<void> {
  const [dataDir, note, schemaList = 'embedded'] = args.filter((arg) => !arg.startsWith('--'));
  const schemas = schemaList.split(',');
  if (args.includes('--legacy')) {
    for (const schema of schemas) await createTheOldWay(dataDir, schema, `${note} (legacy)`);
  }
  if (args.includes('--prepare')) prepareEmbeddedClusters(dataDir, schemas);
  const reports = await Promise.all(schemas.map((schema) => openAndReport(dataDir, schema, note)));
  process.stdout.write(`${JSON.stringify(reports)}\n`);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
