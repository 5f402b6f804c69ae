import { connect, type NatsConnection } from 'nats';
import {
  closeServiceResources,
  createLogger,
  createOutboxTable,
  healthAction,
  localDomainEvents,
  LocalPublisher,
  OUTBOX_TABLE,
  openServiceResources,
  serviceEvents,
  type AnyEventEnvelope,
  type Migration,
  type ServiceResources,
} from '@ticketpro/shared';
import {
  assertNatsReachable,
  createTestDatabase,
  testConfig,
  testNatsUrl,
  uniqueName,
  type TestDatabase,
} from '@ticketpro/shared/testing';

const logger = createLogger('test', 'silent');
const migrations: Migration[] = [
  { name: '001_outbox', up: createOutboxTable, down: (knex) => knex.schema.dropTable(OUTBOX_TABLE) },
];

function recordDeletion(resources: ServiceResources, id: number): Promise<AnyEventEnvelope> {
  return resources.db.transaction((trx) => serviceEvents('identity').record(trx, 'identity.user.deleted', { id }));
}

describe('service resources', () => {
  let database: TestDatabase;
  let nc: NatsConnection;
  const stream = uniqueName('RUNTIME');
  const subjectPrefix = uniqueName('runtime');

  beforeAll(async () => {
    await assertNatsReachable();
    database = await createTestDatabase('runtime');
    nc = await connect({ servers: testNatsUrl() });
  });

  afterAll(async () => {
    await (await nc?.jetstreamManager())?.streams.delete(stream).catch(() => undefined);
    await nc?.drain();
    await database?.drop();
  });

  it("open the service's schema and JetStream; closing relays what is left in the outbox", async () => {
    const config = testConfig({
      NATS_URL: testNatsUrl(),
      IDENTITY_DATABASE_URL: database.url,
      EVENT_STREAM: stream,
      EVENT_SUBJECT_PREFIX: subjectPrefix,
    });
    const resources = await openServiceResources(config, 'identity', migrations, logger);
    try {
      expect((await resources.db.raw('select current_schema() as s')).rows[0].s).toBe('identity');
      await recordDeletion(resources, 1);
    } finally {
      await closeServiceResources(resources, logger);
    }
    const { state } = await (await nc.jetstreamManager()).streams.info(stream);
    expect(state.messages).toBe(1);
  });

  it('without NATS, deliver events on the in-process bus', async () => {
    const config = testConfig({ IDENTITY_DATABASE_URL: database.url });
    const resources = await openServiceResources(config, 'identity', migrations, logger);
    const received: AnyEventEnvelope[] = [];
    const subscription = localDomainEvents.subscribe({
      name: 'runtime-test',
      events: ['identity.user.deleted'],
      durable: false,
      deliver: async (envelope) => void received.push(envelope),
    });
    try {
      expect(resources.publisher).toBeInstanceOf(LocalPublisher);
      const envelope = await recordDeletion(resources, 2);
      await resources.relay.flush();
      expect(received).toEqual([envelope]);
    } finally {
      subscription.stop();
      await closeServiceResources(resources, logger);
    }
  });
});

describe('healthAction', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('health');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('answers ok while the database answers, and fails before start and after stop', async () => {
    const config = testConfig({ CATALOG_DATABASE_URL: database.url });
    let resources: ServiceResources | undefined;
    const health = healthAction(() => resources?.db);
    await expect(health.handler()).rejects.toThrow('not started');
    resources = await openServiceResources(config, 'catalog', migrations, logger);
    await expect(health.handler()).resolves.toEqual({ status: 'ok' });
    await closeServiceResources(resources, logger);
    await expect(health.handler()).rejects.toThrow();
  });
});
