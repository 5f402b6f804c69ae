import knexFactory, { type Knex } from 'knex';
import { Model } from 'objection';
import type { ServiceBroker } from 'moleculer';
import {
  BadRequestError,
  ConflictError,
  createBroker,
  createLogger,
  ForbiddenError,
  isProblemSlug,
  isTransientInfrastructureError,
  isUniqueViolation,
  NotFoundError,
  ProblemError,
  UnauthorizedError,
  UnprocessableError,
} from '@ticketpro/shared';
import {
  assertNatsReachable,
  createTestDatabase,
  testConfig,
  testNatsUrl,
  uniqueName,
  type TestDatabase,
} from '@ticketpro/shared/testing';

describe('problem errors', () => {
  it.each([
    ['BadRequestError', 400, 'bad-request', new BadRequestError('bad')],
    ['UnauthorizedError', 401, 'unauthorized', new UnauthorizedError()],
    ['ForbiddenError', 403, 'forbidden', new ForbiddenError()],
    ['NotFoundError', 404, 'not-found', new NotFoundError()],
    ['ConflictError', 409, 'conflict', new ConflictError('taken')],
    ['UnprocessableError', 422, 'validation-error', new UnprocessableError('invalid')],
  ])('%s has status %i and type %s', (_name, code, type, error) => {
    expect(error).toBeInstanceOf(ProblemError);
    expect(error.code).toBe(code);
    expect(error.type).toBe(type);
    expect(isProblemSlug(error.type)).toBe(true);
  });

  it('keeps the detail as message, with a sensible default where one fits', () => {
    expect(new ConflictError('Email already registered').message).toBe('Email already registered');
    expect(new UnauthorizedError().message).toBe('Not authenticated');
    expect(new NotFoundError().message).toBe('Not found');
  });

  it('carries field errors and conflict extensions in data', () => {
    const errors = [{ field: 'email', message: 'must be a valid email address' }];
    expect(new UnprocessableError('invalid', errors).data).toEqual({ errors });
    expect(new ConflictError('already checked in', { validated_at: '2027-03-01T18:00:00.000Z' }).data).toEqual({
      validated_at: '2027-03-01T18:00:00.000Z',
    });
  });

  it('knows its slugs', () => {
    expect(isProblemSlug('conflict')).toBe(true);
    expect(isProblemSlug('teapot')).toBe(false);
    expect(isProblemSlug('toString')).toBe(false);
  });
});

describe('problem errors across NATS', () => {
  let server: ServiceBroker;
  let client: ServiceBroker;

  beforeAll(async () => {
    await assertNatsReachable();
    const config = testConfig({ NATS_URL: testNatsUrl(), NAMESPACE: uniqueName('errors') });
    const logger = createLogger('test', 'silent');
    server = createBroker({ config, role: 'server', logger });
    client = createBroker({ config, role: 'client', logger });
    server.createService({
      name: 'problems',
      actions: {
        conflict() {
          throw new ConflictError('x');
        },
        unprocessable() {
          throw new UnprocessableError('invalid body', [{ field: 'email', message: 'is required' }]);
        },
      },
    });
    await Promise.all([server.start(), client.start()]);
    await client.waitForServices('problems', 10_000);
  });

  afterAll(async () => {
    await Promise.all([client?.stop(), server?.stop()]);
  });

  it('reaches the caller on another node with status, type and detail', async () => {
    const error = await client.call('problems.conflict').catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 409, type: 'conflict', message: 'x', nodeID: server.nodeID });
  });

  it('keeps the field errors of a 422', async () => {
    const error = await client.call('problems.unprocessable').catch((err: unknown) => err);
    expect(error).toMatchObject({
      code: 422,
      type: 'validation-error',
      message: 'invalid body',
      data: { errors: [{ field: 'email', message: 'is required' }] },
    });
  });
});

describe('isUniqueViolation', () => {
  let database: TestDatabase;
  let knex: Knex;

  class Account extends Model {
    static override tableName = 'accounts';
  }

  beforeAll(async () => {
    database = await createTestDatabase('errors');
    knex = knexFactory({ client: 'pg', connection: database.url });
    await knex.schema.createTable('accounts', (t) => {
      t.increments('id');
      t.text('email').notNullable().unique({ indexName: 'accounts_email_unique' });
    });
    await knex('accounts').insert({ email: 'a@example.com' });
  });

  afterAll(async () => {
    await knex?.destroy();
    await database?.drop();
  });

  it("recognises Postgres' unique violation from knex, by constraint when asked", async () => {
    const error = await knex('accounts')
      .insert({ email: 'a@example.com' })
      .catch((err: unknown) => err);
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, 'accounts_email_unique')).toBe(true);
    expect(isUniqueViolation(error, 'accounts_pkey')).toBe(false);
  });

  it('recognises it through the error objection wraps it in', async () => {
    const error = await Account.query(knex)
      .insert({ email: 'a@example.com' })
      .catch((err: unknown) => err);
    expect(isUniqueViolation(error, 'accounts_email_unique')).toBe(true);
  });

  it('says no to other database errors and to non-errors', async () => {
    const error = await knex('accounts')
      .insert({ email: null })
      .catch((err: unknown) => err);
    expect(error).toHaveProperty('code', '23502');
    expect(isUniqueViolation(error)).toBe(false);
    expect(isUniqueViolation(new ConflictError('x'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
  });
});

describe('isTransientInfrastructureError', () => {
  let database: TestDatabase;
  let knex: Knex;
  const caught = (work: Promise<unknown>) =>
    work.then(
      () => undefined,
      (err: unknown) => err,
    );
  // knex prints every failed acquire; here they are the point of the test.
  const quiet = { warn: () => undefined, error: () => undefined };

  beforeAll(async () => {
    database = await createTestDatabase('infra-errors');
    knex = knexFactory({ client: 'pg', connection: database.url, pool: { min: 0, max: 2 } });
    await knex.schema.createTable('seats', (t) => t.increments('id'));
    await knex('seats').insert({});
  });

  afterAll(async () => {
    await knex?.destroy();
    await database?.drop();
  });

  it('recognises a statement cancelled by statement_timeout (57014)', async () => {
    const error = await caught(
      knex.transaction(async (trx) => {
        await trx.raw('SET LOCAL statement_timeout = 20');
        await trx.raw('SELECT pg_sleep(1)');
      }),
    );
    expect(error).toHaveProperty('code', '57014');
    expect(isTransientInfrastructureError(error)).toBe(true);
  });

  it('recognises a lock wait cut short by lock_timeout (55P03)', async () => {
    const error = await knex.transaction(async (holder) => {
      await holder('seats').forUpdate().first();
      return caught(
        knex.transaction(async (trx) => {
          await trx.raw('SET LOCAL lock_timeout = 20');
          await trx('seats').forUpdate().first();
        }),
      );
    });
    expect(error).toHaveProperty('code', '55P03');
    expect(isTransientInfrastructureError(error)).toBe(true);
  });

  it("recognises knex's pool finding no free connection in time (KnexTimeoutError)", async () => {
    const tiny = knexFactory({
      client: 'pg',
      connection: database.url,
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 50,
      log: quiet,
    });
    try {
      const error = await tiny.transaction(async () => caught(tiny.raw('SELECT 1')));
      expect(error).toHaveProperty('name', 'KnexTimeoutError');
      expect(isTransientInfrastructureError(error)).toBe(true);
    } finally {
      await tiny.destroy();
    }
  });

  it('recognises a server that refuses the connection (ECONNREFUSED)', async () => {
    const nowhere = knexFactory({ client: 'pg', connection: 'postgres://postgres@127.0.0.1:1/none', log: quiet });
    try {
      const error = await caught(nowhere.raw('SELECT 1'));
      expect(error).toHaveProperty('code', 'ECONNREFUSED');
      expect(isTransientInfrastructureError(error)).toBe(true);
    } finally {
      await nowhere.destroy();
    }
  });

  it('recognises a server with no connection left for the role (53300 too_many_connections)', async () => {
    const role = uniqueName('full_role').replace(/[^a-z0-9_]/g, '_');
    await knex.raw('CREATE ROLE ?? LOGIN CONNECTION LIMIT 0', [role]);
    const url = new URL(database.url);
    url.username = role;
    const full = knexFactory({ client: 'pg', connection: url.toString(), log: quiet });
    try {
      const error = await caught(full.raw('SELECT 1'));
      expect(error).toHaveProperty('code', '53300');
      expect(isTransientInfrastructureError(error)).toBe(true);
    } finally {
      await full.destroy();
      await knex.raw('DROP ROLE ??', [role]);
    }
  });

  it.each([
    ['cannot_connect_now', '57P03'],
    ['admin_shutdown', '57P01'],
    ['connection_failure', '08006'],
    ['serialization_failure', '40001'],
    ['deadlock_detected', '40P01'],
  ])('recognises %s (%s), also when objection wraps it', (_name, code) => {
    expect(isTransientInfrastructureError(Object.assign(new Error(_name), { code }))).toBe(true);
    expect(isTransientInfrastructureError({ name: 'DBError', nativeError: { code } })).toBe(true);
  });

  it("recognises pg's connection closing under a statement", () => {
    expect(isTransientInfrastructureError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('says no to errors of the request or the code, and to problems already chosen', async () => {
    const invalid = await caught(knex.raw("SELECT 'x'::int"));
    expect(invalid).toHaveProperty('code', '22P02');
    expect(isTransientInfrastructureError(invalid)).toBe(false);
    expect(isTransientInfrastructureError(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(isTransientInfrastructureError(new ConflictError('x'))).toBe(false);
    expect(isTransientInfrastructureError(new Error('disk on fire'))).toBe(false);
    expect(isTransientInfrastructureError(undefined)).toBe(false);
  });
});

describe('an action whose database gives up', () => {
  interface LogLine {
    level: number;
    msg: string;
    code?: number;
    err?: { code?: string };
  }
  const WARN = 40;
  const lines: LogLine[] = [];
  let database: TestDatabase;
  let knex: Knex;
  let broker: ServiceBroker;

  beforeAll(async () => {
    database = await createTestDatabase('infra-action');
    knex = knexFactory({ client: 'pg', connection: database.url });
    const logger = createLogger('test', 'info', { write: (line: string) => lines.push(JSON.parse(line)) });
    broker = createBroker({ config: testConfig({ NAMESPACE: uniqueName('infra') }), role: 'test', logger });
    broker.createService({
      name: 'slow',
      actions: {
        report: () =>
          knex.transaction(async (trx) => {
            await trx.raw('SET LOCAL statement_timeout = 20');
            await trx.raw('SELECT pg_sleep(1)');
          }),
      },
    });
    await broker.start();
  });

  afterAll(async () => {
    await broker?.stop();
    await knex?.destroy();
    await database?.drop();
  });

  it('answers a 503 service-unavailable problem without the SQL, and logs a warning with what Postgres said', async () => {
    const error = await broker.call('slow.report').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({ code: 503, type: 'service-unavailable' });
    expect(String((error as Error).message)).not.toContain('pg_sleep');
    const line = lines.find((l) => l.code === 503);
    expect(line).toMatchObject({ level: WARN, err: { code: '57014' } });
  });
});
