/**
 * One start of a service on embedded PGlite, run by db.test.ts as a process of its own: PGlite
 * loads parts of itself with dynamic import(), which jest's module sandbox refuses. Opens the
 * database under the data directory given, reports what it found, adds a note and closes.
 */
import { createDatabase } from '@ticketpro/shared';
import { notesMigration } from './notes-migration';

export interface EmbeddedStartReport {
  schema: string;
  tables: string[];
  migrationRuns: number;
  notesFound: string[];
}

async function main(dataDir: string, note: string): Promise<void> {
  const migration = notesMigration();
  const db = await createDatabase({ schema: 'embedded', dataDir, migrations: [migration] });
  try {
    const report: EmbeddedStartReport = {
      schema: (await db.raw('select current_schema() as s')).rows[0].s,
      tables: await db('information_schema.tables').where('table_schema', 'embedded').orderBy('table_name').pluck('table_name'),
      migrationRuns: migration.runs,
      notesFound: await db('notes').orderBy('id').pluck('body'),
    };
    await db('notes').insert({ body: note });
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await db.destroy();
  }
}

const [dataDir, note] = process.argv.slice(2);
main(dataDir, note).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
