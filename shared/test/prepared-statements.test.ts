import os from 'node:os';
import type { Knex } from 'knex';
import { createDatabase, prepared, type Database } from '@ticketpro/shared';
import { createTestDatabase, type TestDatabase } from '@ticketpro/shared/testing';
import { notesMigration } from './support/notes-migration';

interface PreparedStatement {
  statement: string;
  runs: number;
}

/** The statements `prepared` left prepared on the transaction's connection, with how often each ran. */
async function preparedOn(trx: Knex.Transaction): Promise<PreparedStatement[]> {
  const { rows } = await trx.raw<{ rows: PreparedStatement[] }>(
    `SELECT statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements
     WHERE name LIKE 'ticketpro\\_%' ORDER BY prepare_time`,
  );
  return rows;
}

describe('prepared statements on Postgres', () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase('prepared_statements');
    db = await createDatabase({
      schema: 'prepared',
      url: database.url,
      dataDir: os.tmpdir(),
      migrations: [notesMigration()],
      poolMax: 2,
    });
    await db('notes').insert([{ body: 'first' }, { body: 'second' }, { body: 'third' }]);
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('parses a marked statement once per connection and then runs it by name; an unmarked one is not kept', async () => {
    await db.transaction(async (trx) => {
      for (const id of [1, 2, 3, 1, 2, 3, 1]) {
        const rows = await prepared(trx('notes').where('id', id).select('body'));
        expect(rows).toEqual([{ body: ['first', 'second', 'third'][id - 1] }]);
      }
      await trx('notes').where('id', 1).select('id');
      // The migrations' advisory lock (`lockFor`) may be prepared on this connection as well.
      const onNotes = (await preparedOn(trx)).filter((p) => p.statement.includes('"notes"'));
      expect(onNotes).toEqual([{ statement: 'select "body" from "notes" where "id" = $1', runs: 7 }]);
    });
  });

  it('gives each text of a statement (a list of another length) its own name, and each answers for its own', async () => {
    await db.transaction(async (trx) => {
      const bodies = (ids: number[]) => prepared(trx('notes').whereIn('id', ids).orderBy('id').pluck('body'));
      await expect(bodies([1])).resolves.toEqual(['first']);
      await expect(bodies([2, 3])).resolves.toEqual(['second', 'third']);
      await expect(bodies([3])).resolves.toEqual(['third']);
      const texts = (await preparedOn(trx)).filter((p) => p.statement.includes(' in ('));
      expect(texts.map((p) => p.runs)).toEqual([2, 1]);
    });
  });

  it('runs in a raw statement with knex named bindings', async () => {
    const { rows } = await prepared(db.raw('SELECT body FROM notes WHERE id = :id', { id: 2 }));
    expect(rows).toEqual([{ body: 'second' }]);
  });

  it('leaves every connection able to run a statement whose parse or run failed on it', async () => {
    const tags = () => prepared(db('tags').where('name', 'a').select('name'));
    const insertTag = () => prepared(db('tags').insert({ name: 'a' }));
    // Both connections at once, twice each: the parse fails on each (no such table yet).
    for (const outcome of await Promise.allSettled([1, 2, 3, 4].map(() => tags()))) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { code: '42P01' } });
    }
    await db.schema.createTable('tags', (t) => t.text('name').primary());
    await expect(Promise.all([1, 2, 3, 4].map(() => tags()))).resolves.toEqual([[], [], [], []]);
    await insertTag();
    // Prepared and run by name, the insert fails on the key each time, and the connection stays good.
    for (const outcome of await Promise.allSettled([1, 2, 3, 4].map(() => insertTag()))) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { code: '23505' } });
    }
    await expect(Promise.all([1, 2, 3, 4].map(() => tags()))).resolves.toEqual([1, 2, 3, 4].map(() => [{ name: 'a' }]));
  });
});
