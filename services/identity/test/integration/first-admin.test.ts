import { call } from '@ticketpro/shared';
import type { ServiceBroker } from 'moleculer';
import type { Knex } from 'knex';
import { createTestDatabase, type ConfigOverrides, type TestDatabase } from '@ticketpro/shared/testing';
import { startIdentityNode } from '../support/identity-node';
import { openIdentityDatabase } from '../support/identity-database';
import { as, callerOf, GOOD_PASSWORD, login } from '../support/users';

const ADMIN_EMAIL = 'Root@FirstAdmin.example.com';

let database: TestDatabase;
let db: Knex;
const running: ServiceBroker[] = [];

async function start(overrides: ConfigOverrides = {}): Promise<ServiceBroker> {
  const { broker } = await startIdentityNode('identity_first_admin', {
    DATABASE_URL: database.url,
    ADMIN_EMAIL,
    ADMIN_PASSWORD: GOOD_PASSWORD,
    ...overrides,
  });
  running.push(broker);
  return broker;
}

async function stop(broker: ServiceBroker): Promise<void> {
  running.splice(running.indexOf(broker), 1);
  await broker.stop();
}

const adminRows = () => db('users').whereRaw('lower(email) = lower(?)', [ADMIN_EMAIL]);

beforeAll(async () => {
  database = await createTestDatabase('identity_first_admin');
  db = openIdentityDatabase(database.url);
});

afterAll(async () => {
  await Promise.all(running.map((broker) => broker.stop()));
  await db?.destroy();
  await database?.drop();
});

describe('the first admin', () => {
  it('is created once when two instances start on one database at the same moment', async () => {
    const [one, two] = await Promise.all([start(), start()]);

    expect(await adminRows()).toEqual([expect.objectContaining({ role: 'admin', active: true, is_verified: true })]);
    const token = await login(one, ADMIN_EMAIL.toLowerCase(), GOOD_PASSWORD);
    expect(callerOf(token.access_token).role).toBe('admin');
    await expect(login(two, ADMIN_EMAIL, GOOD_PASSWORD)).resolves.toBeDefined();

    await Promise.all([stop(one), stop(two)]);
  });

  it('is not created again on a restart, even after it was deleted', async () => {
    const broker = await start();
    const admin = callerOf((await login(broker, ADMIN_EMAIL, GOOD_PASSWORD)).access_token);
    await call(broker, 'identity.users.delete', { id: admin.id }, as(admin));
    await stop(broker);

    const restarted = await start();

    const rows = await adminRows();
    expect(rows).toHaveLength(1);
    expect(rows[0].deleted_at).toBeInstanceOf(Date);
    await expect(login(restarted, ADMIN_EMAIL, GOOD_PASSWORD)).rejects.toMatchObject({ code: 401 });
    await stop(restarted);
  });

  it.each([
    ['Password1', '(rule: common)'],
    ['short1A', 'must be 8-128 characters'],
    ['no-uppercase-123', '(rule: uppercase)'],
  ])('fails the start when ADMIN_PASSWORD is %s', async (password, rule) => {
    const start = startIdentityNode('identity_first_admin', {
      DATABASE_URL: database.url,
      ADMIN_EMAIL: 'other-admin@example.com',
      ADMIN_PASSWORD: password,
    });

    await expect(start).rejects.toThrow(`ADMIN_PASSWORD breaks the password rules: `);
    await expect(start).rejects.toThrow(rule);
    expect(await db('users').where({ email: 'other-admin@example.com' })).toHaveLength(0);
  });

  it('fails the start when ADMIN_EMAIL is not an email address', async () => {
    await expect(
      startIdentityNode('identity_first_admin', {
        DATABASE_URL: database.url,
        ADMIN_EMAIL: 'root',
        ADMIN_PASSWORD: GOOD_PASSWORD,
      }),
    ).rejects.toThrow('ADMIN_EMAIL must be a valid email address');
  });
});
