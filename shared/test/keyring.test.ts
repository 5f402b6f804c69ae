import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { Keyring, keyIdOf, SIGNING_KEYS_TABLE, type Database, type KeyringOptions } from '@ticketpro/shared';
import { createKeyringDatabase, type KeyringDatabase } from './support/keyring-database';

const ed25519: KeyringOptions = {
  purpose: 'test-code',
  generate: () => generateKeyPairSync('ed25519').privateKey,
  check: (key) => {
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  },
};

describe('Keyring', () => {
  let database: KeyringDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createKeyringDatabase('keyring', 'keyring');
    ({ db } = database);
  });

  afterAll(async () => {
    await database?.drop();
  });

  beforeEach(async () => {
    await db(SIGNING_KEYS_TABLE).truncate();
  });

  it('makes the first generation once, even when instances open it together', async () => {
    const keyrings = await Promise.all([1, 2, 3].map(() => Keyring.open(db, ed25519)));

    expect(new Set(keyrings.map((k) => k.active.kid)).size).toBe(1);
    expect(keyrings[0].active).toMatchObject({ generation: 1, kid: keyIdOf(keyrings[0].active.publicKey) });
    expect(await db(SIGNING_KEYS_TABLE).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('rotates: the new key signs, the old ones still verify, and another instance finds the new one by kid', async () => {
    const first = await Keyring.open(db, ed25519);
    const other = await Keyring.open(db, ed25519);
    const old = first.active;
    const signature = sign(null, Buffer.from('ticket'), old.privateKey);

    const rotated = await first.rotate();

    expect(rotated.generation).toBe(2);
    expect(first.active.kid).toBe(rotated.kid);
    expect(first.keys.map((k) => k.kid)).toEqual([rotated.kid, old.kid]);
    expect(verify(null, Buffer.from('ticket'), (await first.find(old.kid))!.publicKey, signature)).toBe(true);
    // The other instance has not seen it yet, and reads it when a code names it.
    expect(other.active.kid).toBe(old.kid);
    expect((await other.find(rotated.kid))?.generation).toBe(2);
    expect(await other.find('no-such-kid')).toBeUndefined();
  });

  it('keeps each purpose apart in one table', async () => {
    const codes = await Keyring.open(db, ed25519);
    const tokens = await Keyring.open(db, {
      purpose: 'test-token',
      generate: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    });

    expect(codes.active.kid).not.toBe(tokens.active.kid);
    expect(tokens.active.generation).toBe(1);
    expect(await tokens.find(codes.active.kid)).toBeUndefined();
  });

  it('refuses a stored key of the wrong kind when it loads', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await db(SIGNING_KEYS_TABLE).insert({
      purpose: ed25519.purpose,
      generation: 1,
      kid: 'ec-key',
      private_key_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    });

    await expect(Keyring.open(db, ed25519)).rejects.toThrow('not an Ed25519 key');
  });
});
