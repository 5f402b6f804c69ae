import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ServiceBroker } from 'moleculer';
import jwt from 'jsonwebtoken';
import os from 'node:os';
import {
  createTestDatabase,
  eventually,
  testConfig,
  type ConfigOverrides,
  type TestDatabase,
} from '@ticketpro/shared/testing';
import {
  createDatabase,
  keyIdOf,
  KeysRefusal,
  rotateKeys,
  SIGNING_KEYS_TABLE,
  type Jwks,
  call,
} from '@ticketpro/shared';
import { migrations } from '../../migrations';
import { startIdentityNode } from '../support/identity-node';
import { login, registerUser } from '../support/users';

let database: TestDatabase;
let keyDir: string;
const running: ServiceBroker[] = [];

/** How often the instances here read their keys again: a rotation reaches them this fast. */
const KEYRING_RELOAD_MS = 100;

async function start(overrides: ConfigOverrides = {}): Promise<ServiceBroker> {
  const { broker } = await startIdentityNode(
    'identity_signing_keys',
    { DATABASE_URL: database.url, ACCESS_TOKEN_TTL: 300, ...overrides },
    { keyringReloadMs: KEYRING_RELOAD_MS },
  );
  running.push(broker);
  return broker;
}

async function stop(broker: ServiceBroker): Promise<void> {
  running.splice(running.indexOf(broker), 1);
  await broker.stop();
}

function onlyKey(jwks: Jwks): JsonWebKey & { kid: string } {
  expect(jwks.keys).toHaveLength(1);
  return jwks.keys[0];
}

const kidOf = (token: string) => jwt.decode(token, { complete: true })!.header.kid;

/** What a gateway does with identity's JWKS: the key by `kid`, the algorithm pinned. */
function verifyWith(jwks: Jwks, token: string): jwt.JwtPayload {
  const { kid } = jwt.decode(token, { complete: true })!.header;
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`no key ${kid} in the JWKS`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  return jwt.verify(token, key, {
    algorithms: ['ES256'],
    issuer: 'ticketpro-identity',
    audience: 'ticketpro-api',
  }) as jwt.JwtPayload;
}

beforeAll(async () => {
  database = await createTestDatabase('identity_signing_keys');
  keyDir = await mkdtemp(path.join(tmpdir(), 'identity-keys-'));
});

afterAll(async () => {
  await Promise.all(running.map((broker) => broker.stop()));
  await database?.drop();
  await rm(keyDir, { recursive: true, force: true });
});

describe('the signing key', () => {
  it('publishes only the public key, and it verifies the access tokens from login', async () => {
    const broker = await start();
    const user = await registerUser(broker);
    const token = await login(broker, user.email, user.password);

    const jwks: Jwks = await call(broker, 'identity.keys');

    expect(onlyKey(jwks)).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: expect.any(String),
      alg: 'ES256',
      use: 'sig',
    });
    const claims = verifyWith(jwks, token.access_token);
    expect(claims).toMatchObject({ sub: String(user.caller.id), role: 'user', jti: expect.any(String) });
    expect(claims.exp! - claims.iat!).toBe(300);
    await stop(broker);
  });

  it('refuses the token under another algorithm or a tampered payload', async () => {
    const broker = await start();
    const user = await registerUser(broker);
    const jwks: Jwks = await call(broker, 'identity.keys');
    const [header, payload, signature] = user.tokens.access_token.split('.');
    const promoted = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin' }),
    ).toString('base64url');

    expect(() => verifyWith(jwks, `${header}.${promoted}.${signature}`)).toThrow(/invalid signature/);
    const key = createPublicKey({ key: jwks.keys[0], format: 'jwk' });
    expect(() => jwt.verify(user.tokens.access_token, key, { algorithms: ['RS256'] })).toThrow(/invalid algorithm/);
    await stop(broker);
  });

  it('is made once and kept: a restart, or two instances starting together, use the same key', async () => {
    const first = await start();
    const kidBefore = onlyKey(await first.call('identity.keys')).kid;
    const issuedBefore = await registerUser(first);
    await stop(first);

    const [one, two] = await Promise.all([start(), start()]);

    const jwksOne: Jwks = await one.call('identity.keys');
    expect(onlyKey(jwksOne).kid).toBe(kidBefore);
    expect(onlyKey(await two.call('identity.keys')).kid).toBe(kidBefore);
    // Tokens issued before the restart still verify.
    expect(verifyWith(jwksOne, issuedBefore.tokens.access_token).sub).toBe(String(issuedBefore.caller.id));
    await Promise.all([stop(one), stop(two)]);
  });

  it('is made only once when two instances start together on a fresh database', async () => {
    const fresh = await createTestDatabase('identity_signing_keys_race');
    try {
      const brokers = await Promise.all([start({ DATABASE_URL: fresh.url }), start({ DATABASE_URL: fresh.url })]);
      const kids = await Promise.all(brokers.map(async (b) => onlyKey(await b.call('identity.keys')).kid));
      expect(kids[0]).toBe(kids[1]);
      await Promise.all(brokers.map(stop));
    } finally {
      await fresh.drop();
    }
  });

  it('comes from JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE when set', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const file = path.join(keyDir, 'identity.pem');
    await writeFile(file, pem);

    // Environment variables often carry the PEM on one line with `\n` written out.
    for (const overrides of [{ JWT_PRIVATE_KEY: pem.replace(/\n/g, '\\n') }, { JWT_PRIVATE_KEY_FILE: file }]) {
      const broker = await start(overrides);
      const user = await registerUser(broker);

      expect(onlyKey(await call(broker, 'identity.keys')).kid).toBe(keyIdOf(publicKey));
      expect(() => jwt.verify(user.tokens.access_token, publicKey, { algorithms: ['ES256'] })).not.toThrow();
      await stop(broker);
    }
  });

  it('fails the start with a clear message when the configured key cannot sign ES256', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

    await expect(start({ JWT_PRIVATE_KEY: rsaPem })).rejects.toThrow('must be an EC P-256 private key');
    await expect(start({ JWT_PRIVATE_KEY: 'not a key' })).rejects.toThrow('JWT_PRIVATE_KEY is not a PEM private key');
  });

  it('keeps the key stored before the shared keyring: same kid, tokens it signed still verify', async () => {
    const upgraded = await createTestDatabase('identity_signing_keys_upgrade');
    try {
      // The database as the release before it left it: migrated up to 005, one key per purpose.
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const kid = keyIdOf(publicKey);
      const earlier = migrations.slice(
        0,
        migrations.findIndex((m) => m.name === '006_signing_key_generations'),
      );
      const db = await createDatabase({
        schema: 'identity',
        url: upgraded.url,
        dataDir: os.tmpdir(),
        migrations: earlier,
      });
      await db(SIGNING_KEYS_TABLE).insert({
        purpose: 'access-token',
        kid,
        private_key_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      });
      await db.destroy();
      const signedBefore = jwt.sign({ role: 'user' }, privateKey, {
        algorithm: 'ES256',
        keyid: kid,
        subject: '1',
        issuer: 'ticketpro-identity',
        audience: 'ticketpro-api',
        expiresIn: 300,
      });

      const broker = await start({ DATABASE_URL: upgraded.url });
      const jwks: Jwks = await call(broker, 'identity.keys');

      expect(onlyKey(jwks).kid).toBe(kid);
      expect(verifyWith(jwks, signedBefore).sub).toBe('1');
      const user = await registerUser(broker);
      expect(jwt.decode(user.tokens.access_token, { complete: true })!.header.kid).toBe(kid);
      await stop(broker);
    } finally {
      await upgraded.drop();
    }
  });

  it('rotates with `npm run keys`: every instance signs with the new key, tokens signed before keep verifying', async () => {
    const rotating = await createTestDatabase('identity_signing_keys_rotation');
    try {
      const [one, two] = await Promise.all([1, 2].map(() => start({ DATABASE_URL: rotating.url })));
      const user = await registerUser(one);
      const signedBefore = await login(two, user.email, user.password);
      const before = onlyKey(await call(one, 'identity.keys')).kid;

      const told = await rotateKeys(testConfig({ DATABASE_URL: rotating.url }), { service: 'identity' });

      const jwks: Jwks = await call(one, 'identity.keys');
      const [current, previous] = jwks.keys.map((k) => k.kid);
      expect(previous).toBe(before);
      expect(current).not.toBe(before);
      expect(told).toContain(`key ${current} (generation 2) signs from now on, replacing ${before}`);
      for (const instance of [one, two]) {
        await eventually(
          async () => kidOf((await login(instance, user.email, user.password)).access_token) === current,
        );
      }
      expect(kidOf(signedBefore.access_token)).toBe(before);
      expect(verifyWith(jwks, signedBefore.access_token).sub).toBe(String(user.caller.id));
      await Promise.all([stop(one), stop(two)]);
    } finally {
      await rotating.drop();
    }
  });

  it('leaves exactly one current key when two rotations run at once, and every instance signs with it', async () => {
    const rotating = await createTestDatabase('identity_signing_keys_rotations');
    try {
      const [one, two] = await Promise.all([1, 2].map(() => start({ DATABASE_URL: rotating.url })));
      const user = await registerUser(one);
      const config = testConfig({ DATABASE_URL: rotating.url });

      const told = await Promise.all([1, 2].map(() => rotateKeys(config, { service: 'identity' })));

      // One generation each, newest first: whether the second rotation saw the first or lost the
      // race to insert the same generation (then it reports the winner's key), the newest is current.
      const kids = (await call(one, 'identity.keys')).keys.map((k) => k.kid);
      expect(new Set(kids).size).toBe(kids.length);
      expect([2, 3]).toContain(kids.length);
      for (const message of told) expect(kids).toContain(/key (\S+) \(generation/.exec(message)?.[1]);
      for (const instance of [one, two]) {
        await eventually(
          async () => kidOf((await login(instance, user.email, user.password)).access_token) === kids[0],
        );
      }
      await Promise.all([stop(one), stop(two)]);
    } finally {
      await rotating.drop();
    }
  });

  it('refuses to rotate while identity signs with a configured key, and says why', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();

    const refused = rotateKeys(testConfig({ DATABASE_URL: database.url, JWT_PRIVATE_KEY: pem }), {
      service: 'identity',
    });

    await expect(refused).rejects.toBeInstanceOf(KeysRefusal);
    await expect(refused).rejects.toThrow('rotating the keyring would change nothing');
  });
});
