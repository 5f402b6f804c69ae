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
