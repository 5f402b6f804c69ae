/**
 * An embedded (PGlite) database of identity or ticketing as the release before the shared
 * keyring left it, upgraded: run by the services' keyring tests as a process of its own, since
 * PGlite loads parts of itself with dynamic import(), which jest's module sandbox refuses.
 * Migrates a fresh database up to the keyring's migration, stores keys the way the service did
 * then, opens it again with every migration and loads the service's keys. Prints, as JSON, the
 * keys stored and the keys loaded (newest first), as `{ kid, generation }`.
 *
 * Usage: keyring-upgrade.ts <identity|ticketing> <dataDir>
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createDatabase, keyIdOf, SIGNING_KEYS_TABLE, type Migration } from '@ticketpro/shared';
import { testConfig } from '@ticketpro/shared/testing';
import { migrations as identityMigrations } from '@ticketpro/identity/migrations';
import { migrations as ticketingMigrations } from '@ticketpro/ticketing/migrations';
import { loadSigningKeys } from '@ticketpro/identity/src/keys/load-signing-keys';
import { openTicketKeyring } from '@ticketpro/ticketing/src/codes/keyring';

const pem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' });
const before = (migrations: Migration[], name: string) =>
  migrations.slice(
    0,
    migrations.findIndex((m) => m.name === name),
  );

const SERVICES = {
  identity: {
    migrations: identityMigrations,
    keyringMigration: '006_signing_key_generations',
    /** One key per purpose, no generation. */
    storedRows: () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return [{ purpose: 'access-token', kid: keyIdOf(publicKey), private_key_pem: pem(privateKey) }];
    },
    load: async (db: Parameters<typeof loadSigningKeys>[1]) => (await loadSigningKeys(testConfig(), db)).keys,
  },
  ticketing: {
    migrations: ticketingMigrations,
    keyringMigration: '007_signing_key_purposes',
    /** Generations of one purpose, no purpose column. */
    storedRows: () =>
      [1, 2].map((generation) => {
        const { privateKey, publicKey } = generateKeyPairSync('ed25519');
        return { kid: keyIdOf(publicKey), generation, private_key_pem: pem(privateKey) };
      }),
    load: async (db: Parameters<typeof openTicketKeyring>[0]) => (await openTicketKeyring(db)).keys,
  },
};

async function main(service: keyof typeof SERVICES, dataDir: string): Promise<void> {
  const { migrations, keyringMigration, storedRows, load } = SERVICES[service];
  const old = await createDatabase({ schema: service, dataDir, migrations: before(migrations, keyringMigration) });
  const rows = storedRows();
  try {
    await old(SIGNING_KEYS_TABLE).insert(rows);
  } finally {
    await old.destroy();
  }
  const db = await createDatabase({ schema: service, dataDir, migrations });
  try {
    const loaded = (await load(db)).map((key) => ({
      kid: key.kid,
      generation: 'generation' in key ? key.generation : 1,
    }));
    const stored = rows.map((row) => ({ kid: row.kid, generation: 'generation' in row ? row.generation : 1 }));
    console.log(JSON.stringify({ stored, loaded }));
  } finally {
    await db.destroy();
  }
}

void main(process.argv[2] as keyof typeof SERVICES, process.argv[3]).catch((err) => {
  console.error(err);
  process.exit(1);
});
