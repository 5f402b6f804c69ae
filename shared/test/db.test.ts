import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDatabase, queryRows, type Database, type Migration } from '@ticketpro/shared';
import { createTestDatabase, type TestDatabase } from '@ticketpro/shared/testing';
import { notesMigration } from './support/notes-migration';
import type { EmbeddedStartReport } from './support/embedded-start';

const tagsMigration: Migration = {
  name: '002_tags',
  async up(knex) {
    await knex.schema.createTable('tags', (t) => t.text('name').primary());
  },
  async down(knex) {
    await knex.schema.dropTable('tags');
  },
};

function tablesIn(db: Database, schema: string): Promise<string[]> {
  return db('information_schema.tables').where('table_schema', schema).orderBy('table_name').pluck('table_name');
}

describe('createDatabase on Postgres', () => {
  let database: TestDatabase;
  let raceDatabase: TestDatabase;
  let dataDir: string;
  const opened: Database[] = [];

  async function open(url: string, schema: string, migrations: Migration[]): Promise<Database> {
    const db = await createDatabase({ schema, url, dataDir, migrations, poolMax: 2 });
    opened.push(db);
    return db;
  }

  beforeAll(async () => {
    [database, raceDatabase] = await Promise.all([createTestDatabase('db'), createTestDatabase('db_race')]);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketpro-db-'));
  });

  afterAll(async () => {
    await Promise.all(opened.map((db) => db.destroy()));
    await Promise.all([database?.drop(), raceDatabase?.drop()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the schema and keeps migrations and tables inside it', async () => {
    const migration = notesMigration();
    const db = await open(database.url, 'inventory', [migration]);
    expect(migration.runs).toBe(1);
    expect(await tablesIn(db, 'inventory')).toEqual(['knex_migrations', 'knex_migrations_lock', 'notes']);
    expect(await tablesIn(db, 'public')).toEqual([]);
  });

  it('makes the schema the search_path of every connection', async () => {
    const db = await open(database.url, 'billing', [notesMigration()]);
    const schemas = await Promise.all(
      [1, 2].map(() => db.transaction(async (trx) => (await trx.raw('select current_schema() as s')).rows[0].s)),
    );
    expect(schemas).toEqual(['billing', 'billing']);
    await db('notes').insert({ body: 'unqualified names land in the schema' });
    expect(await db('billing.notes').count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('runs a named statement straight on connections of the pool, in the schema, prepared by its name on each', async () => {
    const db = await open(database.url, 'prepared', [notesMigration()]);
    const [{ id }] = await db('notes').insert({ body: 'kept' }).returning('id');
    const body = { name: 'notes.body', text: 'SELECT body FROM notes WHERE id = $1' };
    const prepared = { name: 'prepared.names', text: 'SELECT name, $1::int AS run FROM pg_prepared_statements' };

    await expect(queryRows(db, body, [id])).resolves.toEqual([{ body: 'kept' }]);
    await expect(queryRows(db, body, [id + 1])).resolves.toEqual([]);
    // Run together, the runs take both connections; each sees the statements prepared on its own.
    const runs = await Promise.all([1, 2, 3, 4].map((run) => queryRows<{ name: string }>(db, prepared, [run])));
    for (const [index, rows] of runs.entries()) {
      expect(rows).toContainEqual({ name: 'prepared.names', run: index + 1 });
    }
  });

  it("rejects a named statement Postgres refuses with Postgres's error, and gives its connection back", async () => {
    const db = await open(database.url, 'refused', [notesMigration()]);
    const ratio = { name: 'refused.ratio', text: 'SELECT 1 / $1::int AS ratio' };

    await expect(queryRows(db, ratio, [0])).rejects.toMatchObject({ code: '22012' });
    await expect(queryRows(db, ratio, ['not a number'])).rejects.toMatchObject({ code: '22P02' });
    // Both connections of the pool (poolMax 2) are free again: four runs at once all answer.
    const answers = await Promise.all([1, 2, 4, 8].map((n) => queryRows<{ ratio: number }>(db, ratio, [n])));
    expect(answers).toEqual([[{ ratio: 1 }], [{ ratio: 0 }], [{ ratio: 0 }], [{ ratio: 0 }]]);
  });

  it('runs only the migrations it has not run yet on the next start', async () => {
    const first = notesMigration();
    const db = await open(database.url, 'catalogue', [first]);
    await db('notes').insert({ body: 'kept' });
    const again = notesMigration();
    const reopened = await open(database.url, 'catalogue', [again, tagsMigration]);
    expect(again.runs).toBe(0);
    expect(await reopened('notes').pluck('body')).toEqual(['kept']);
    expect(await reopened('knex_migrations').orderBy('id').pluck('name')).toEqual(['001_notes', '002_tags']);
  });

  it('lets three instances racing on a fresh database all start, migrating once', async () => {
    const migration = notesMigration();
    const dbs = await Promise.all([1, 2, 3].map(() => open(raceDatabase.url, 'racing', [migration])));
    expect(migration.runs).toBe(1);
    expect(await dbs[0]('knex_migrations').pluck('name')).toEqual(['001_notes']);
    await Promise.all(dbs.map((db, i) => db('notes').insert({ body: `from ${i}` })));
    expect(await dbs[2]('notes').count({ n: '*' })).toEqual([{ n: 3 }]);
  });

  it('fails on a failing migration without leaving half of it or the migration lock behind', async () => {
    const broken: Migration = {
      name: '001_broken',
      async up(knex) {
        await knex.schema.createTable('half', (t) => t.increments('id'));
        await knex.raw('select * from no_such_table');
      },
      async down() {},
    };
    // knex also reports the failed migration on the console.
    const consoleLog = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await expect(
        createDatabase({ schema: 'broken', url: database.url, dataDir, migrations: [broken] }),
      ).rejects.toThrow(/no_such_table/);
    } finally {
      consoleLog.mockRestore();
    }
    const fixed = notesMigration();
    fixed.name = '001_broken';
    const db = await open(database.url, 'broken', [fixed]);
    expect(fixed.runs).toBe(1);
    expect(await tablesIn(db, 'broken')).not.toContain('half');
  });
});

describe('createDatabase on embedded PGlite', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketpro-pglite-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  async function startEmbedded(note: string, schemas = 'embedded', ...flags: string[]): Promise<EmbeddedStartReport[]> {
    const script = path.join(__dirname, 'support', 'embedded-start.ts');
    // --liftoff-only, as `npm start` runs: PGlite's WebAssembly is not also compiled by the
    // optimising compiler, a third of each start's CPU (docs/ARCHITECTURE.md).
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--liftoff-only', '--import', 'tsx', script, dataDir, note, schemas, ...flags],
      {
        cwd: path.resolve(__dirname, '../..'),
      },
    );
    return JSON.parse(stdout.trim().split('\n').pop() ?? '');
  }

  it('migrates under dataDir/<schema> and keeps the data across a restart', async () => {
    const [first] = await startEmbedded('before restart');
    expect(first).toEqual({
      schema: 'embedded',
      tables: ['knex_migrations', 'knex_migrations_lock', 'notes'],
      migrationRuns: 1,
      notesFound: [],
      sharedBuffers: '4MB',
      legacyNotes: [],
    });
    const [second] = await startEmbedded('after restart');
    expect(second).toMatchObject({ migrationRuns: 0, notesFound: ['before restart'] });
  }, 60_000);

  it('creates the databases of services starting together from one initdb, leaving nothing else behind', async () => {
    const reports = await startEmbedded('together', 'alpha,beta,gamma');
    expect(reports.map((r) => [r.schema, r.migrationRuns, r.tables])).toEqual(
      ['alpha', 'beta', 'gamma'].map((schema) => [schema, 1, ['knex_migrations', 'knex_migrations_lock', 'notes']]),
    );
    expect((await readdir(dataDir)).sort()).toEqual(['alpha', 'beta', 'embedded', 'gamma']);
    // Separate clusters: a note written in one is not in the others.
    const again = await startEmbedded('again', 'alpha,beta');
    expect(again.map((r) => r.notesFound)).toEqual([['together'], ['together']]);
  }, 60_000);

  it('opens a database an earlier release created, with its data, and runs the migrations it lacks', async () => {
    const [report] = await startEmbedded('upgraded', 'legacy', '--legacy');
    expect(report).toMatchObject({
      schema: 'legacy',
      migrationRuns: 1,
      legacyNotes: ['upgraded (legacy)'],
      sharedBuffers: '4MB',
    });
  }, 60_000);

  it('creates databases begun ahead of the start once, and leaves one that exists as it was', async () => {
    // `legacy`: the earlier release's database the test above upgraded, its notes in it.
    const reports = await startEmbedded('prepared', 'legacy,prepared_a,prepared_b', '--prepare');
    expect(reports.map((r) => [r.schema, r.migrationRuns, r.notesFound, r.legacyNotes])).toEqual([
      ['legacy', 0, ['upgraded'], ['upgraded (legacy)']],
      ['prepared_a', 1, [], []],
      ['prepared_b', 1, [], []],
    ]);
    const entries = await readdir(dataDir);
    expect(entries).toEqual(expect.arrayContaining(['legacy', 'prepared_a', 'prepared_b']));
    // No initdb template nor half-copied cluster is left behind.
    expect(entries.filter((entry) => entry.startsWith('.') || entry.endsWith('.creating'))).toEqual([]);
  }, 120_000);

  it('refuses a folder that holds files but no database, and leaves it as it was', async () => {
    await mkdir(path.join(dataDir, 'stranger'));
    await writeFile(path.join(dataDir, 'stranger', 'notes.txt'), 'mine');
    await expect(startEmbedded('never', 'stranger')).rejects.toMatchObject({
      stderr: expect.stringContaining('holds files but no database (no PG_VERSION)'),
    });
    expect(await readdir(path.join(dataDir, 'stranger'))).toEqual(['notes.txt']);
  }, 60_000);
});
