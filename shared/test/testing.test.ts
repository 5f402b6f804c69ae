import { Client } from 'pg';
import {
  adminDatabaseUrl,
  assertNatsReachable,
  createTestDatabase,
  testConfig,
  uniqueName,
  type TestDatabase,
} from '@ticketpro/shared/testing';

async function databaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  const created: TestDatabase[] = [];

  afterAll(async () => {
    await Promise.all(created.map((d) => d.drop()));
  });

  it('makes a fresh, usable database whose URL points at it', async () => {
    const database = await createTestDatabase('helpers');
    created.push(database);
    expect(new URL(database.url).pathname).toBe(`/${database.name}`);
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (n int)');
      await client.query('INSERT INTO t VALUES (1)');
      const { rows } = await client.query('SELECT current_database() AS db, count(*)::int AS n FROM t');
      expect(rows).toEqual([{ db: database.name, n: 1 }]);
    } finally {
      await client.end();
    }
  });

  it("has every session on it commit without waiting for the disk (a throwaway database's speed)", async () => {
    const database = await createTestDatabase('helpers sync');
    created.push(database);
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query('SHOW synchronous_commit');
      expect(rows).toEqual([{ synchronous_commit: 'off' }]);
    } finally {
      await client.end();
    }
  });

  it('gives each call its own database', async () => {
    const pair = await Promise.all([createTestDatabase('helpers'), createTestDatabase('helpers')]);
    created.push(...pair);
    expect(pair[0].name).not.toBe(pair[1].name);
  });

  it('drop() removes the database, even with a connection still open', async () => {
    const database = await createTestDatabase('helpers drop');
    const client = new Client({ connectionString: database.url });
    await client.connect();
    client.on('error', () => undefined);
    try {
      await database.drop();
      expect(await databaseExists(database.name)).toBe(false);
    } finally {
      await client.end().catch(() => undefined);
    }
  });
});

describe('uniqueName', () => {
  it('makes a lowercase name safe for databases, namespaces and streams, different each time', () => {
    const name = uniqueName('Outbox Relay.v2');
    expect(name).toMatch(/^outbox_relay_v2_[0-9a-f]{8}$/);
    expect(uniqueName('x')).not.toBe(uniqueName('x'));
  });
});

describe('testConfig', () => {
  it('applies overrides as environment strings, over the defaults', () => {
    const config = testConfig({ PORT: 0, TRUST_PROXY: true, NAMESPACE: 'ns', NATS_URL: undefined });
    expect(config).toMatchObject({ PORT: 0, TRUST_PROXY: true, NAMESPACE: 'ns', ORDER_HOLD_SECONDS: 900 });
    expect(config.NATS_URL).toBeUndefined();
  });

  it("ignores the developer's environment", () => {
    const saved = process.env.ORDER_HOLD_SECONDS;
    process.env.ORDER_HOLD_SECONDS = '5';
    try {
      expect(testConfig().ORDER_HOLD_SECONDS).toBe(900);
    } finally {
      if (saved === undefined) delete process.env.ORDER_HOLD_SECONDS;
      else process.env.ORDER_HOLD_SECONDS = saved;
    }
  });
});

describe('assertNatsReachable', () => {
  it('passes when NATS answers and names the URL when it does not', async () => {
    await expect(assertNatsReachable()).resolves.toBeUndefined();
    await expect(assertNatsReachable('nats://127.0.0.1:1')).rejects.toThrow(
      /Tests need NATS .* at nats:\/\/127\.0\.0\.1:1/,
    );
  });
});
