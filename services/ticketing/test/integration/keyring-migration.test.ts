import os from 'node:os';
import { generateKeyPairSync } from 'node:crypto';
import { createDatabase, keyIdOf, SIGNING_KEYS_TABLE, call } from '@ticketpro/shared';
import { createTestDatabase, testConfig, uniqueName, type TestDatabase } from '@ticketpro/shared/testing';
import { migrations } from '../../migrations';
import { startTicketingNode, type TicketingNode } from '../support/ticketing-node';

/** A ticket-code key as ticketing stored it before the shared keyring: kid, generation, PEM. */
function storedKey(generation: number) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid: keyIdOf(publicKey), generation, private_key_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
}

const beforeKeyring = migrations.slice(
  0,
  migrations.findIndex((m) => m.name === '007_signing_key_purposes'),
);

describe('ticket-code keys stored before the shared keyring', () => {
  let database: TestDatabase;
  let node: TicketingNode | undefined;
  const before = [storedKey(1), storedKey(2)];

  beforeAll(async () => {
    database = await createTestDatabase('ticketing_keyring_migration');
    // The database as the release before it left it: migrated up to 006, two generations of keys.
    const db = await createDatabase({
      schema: 'ticketing',
      url: database.url,
      dataDir: os.tmpdir(),
      migrations: beforeKeyring,
    });
    await db(SIGNING_KEYS_TABLE).insert(before);
    await db.destroy();
  });

  afterAll(async () => {
    await node?.broker.stop();
    await database?.drop();
  });

  it('are all kept: the newest still signs, every one still verifies and is published', async () => {
    node = await startTicketingNode(
      testConfig({ NAMESPACE: uniqueName('ticketing'), TICKETING_DATABASE_URL: database.url }),
    );
    const { keyring } = node.runtime;

    expect(keyring.active.kid).toBe(before[1].kid);
    expect((await keyring.find(before[0].kid))?.generation).toBe(1);
    const { keys } = await call(node.broker, 'ticketing.validation.keys');
    expect(keys.map((k) => k.kid)).toEqual([before[1].kid, before[0].kid]);

    const db = node.runtime.resources.db;
    const rows = await db(SIGNING_KEYS_TABLE)
      .orderBy('generation')
      .select('kid', 'purpose', 'generation', 'private_key_pem');
    expect(rows).toEqual(before.map((key) => ({ ...key, purpose: 'ticket-code' })));
  });
});
