import os from 'node:os';
import type { Knex } from 'knex';
import { createDatabase, SIGNING_KEYS_TABLE, type Database } from '@ticketpro/shared';
import { createTestDatabase } from '@ticketpro/shared/testing';

/** The keyring's table as identity's and ticketing's migrations leave it. */
async function createSigningKeysTable(knex: Knex): Promise<void> {
  await knex.schema.createTable(SIGNING_KEYS_TABLE, (t) => {
    t.text('kid').primary();
    t.text('purpose').notNullable();
    t.integer('generation').notNullable();
    t.text('private_key_pem').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['purpose', 'generation']);
  });
}

export interface KeyringDatabase {
  url: string;
  /** Connected to `schema`, which holds the keyring's table and nothing else. */
  db: Database;
  drop(): Promise<void>;
}

/** A database of the test's own with a keyring table in `schema`. */
export async function createKeyringDatabase(label: string, schema: string): Promise<KeyringDatabase> {
  const database = await createTestDatabase(label);
  const db = await createDatabase({
    schema,
    url: database.url,
    dataDir: os.tmpdir(),
    migrations: [{ name: '001_signing_keys', up: createSigningKeysTable, down: async () => undefined }],
  });
  return {
    url: database.url,
    db,
    drop: async () => {
      await db.destroy();
      await database.drop();
    },
  };
}
