import {
  call,
  createBroker,
  createLogger,
  createOutboxTable,
  createProcessedEventsTable,
  defineAction,
  defineService,
  feed,
  identityContract,
  localDomainEvents,
  OUTBOX_TABLE,
  outboxEntry,
  OutboxRelay,
  serviceEvents,
  type Migration,
  type RuntimeAccess,
  type ServiceRuntime,
} from '@ticketpro/shared';
import { createTestDatabase, eventually, testConfig, uniqueName, type TestDatabase } from '@ticketpro/shared/testing';

const migrations: Migration[] = [
  { name: '001_outbox', up: createOutboxTable, down: async () => undefined },
  { name: '002_processed', up: createProcessedEventsTable, down: async () => undefined },
];

const unreachable = async (): Promise<never> => {
  throw new Error('never called');
};

/** Identity's contract with nothing behind its actions: the kit's own behaviour, on a real database and bus. */
function kitService(
  hooks: { prepare?: (base: ServiceRuntime) => void; onEvent?: (id: number) => void; onTick?: () => void } = {},
) {
  let access: RuntimeAccess<ServiceRuntime & { prepared: true }> | undefined;
  const factory = defineService({
    contract: identityContract,
    migrations,
    prepare: (base) => {
      hooks.prepare?.(base);
      return { prepared: true as const };
    },
    actions: (runtime) => {
      access = runtime;
      return {
        register: defineAction('identity.register', unreachable),
        login: defineAction('identity.login', unreachable),
        refresh: defineAction('identity.refresh', unreachable),
        logout: defineAction('identity.logout', unreachable),
        me: defineAction('identity.me', unreachable),
        'users.list': defineAction('identity.users.list', unreachable),
        'users.get': defineAction('identity.users.get', unreachable),
        'users.update': defineAction('identity.users.update', unreachable),
        'users.delete': defineAction('identity.users.delete', unreachable),
        'users.names': defineAction('identity.users.names', unreachable),
        keys: defineAction('identity.keys', unreachable),
        'tokens.revocations': defineAction('identity.tokens.revocations', unreachable),
      };
    },
    feeds: () => [feed('kit-test', { 'identity.user.deleted': [1] }, async ({ data }) => hooks.onEvent?.(data.id))],
    tasks: () => [{ name: 'tick', everyMs: 20, run: async () => hooks.onTick?.() }],
  });
  return { factory, access: () => access! };
}

describe('defineService', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('service_kit');
  });

  afterAll(async () => {
    await database?.drop();
  });

  async function start(service: ReturnType<typeof kitService>, overrides: Record<string, string | number> = {}) {
    const config = testConfig({ NAMESPACE: uniqueName('kit'), IDENTITY_DATABASE_URL: database.url, ...overrides });
    const logger = createLogger('kit-test', config.LOG_LEVEL);
    const broker = createBroker({ config, role: 'kit-test', logger });
    let runtime: ServiceRuntime | undefined;
    broker.createService(
      service.factory(
        { config, logger },
        { onStarted: (started) => (runtime = started), eventRetentionIntervalMs: 50 },
      ),
    );
    try {
      await broker.start();
    } catch (err) {
      await broker.stop();
      throw err;
    }
    return { broker, runtime: runtime! };
  }

  it('opens what the service needs, serves health, feeds, tasks, and undoes it all at stop', async () => {
    const handled: number[] = [];
    let ticks = 0;
    const service = kitService({ onEvent: (id) => handled.push(id), onTick: () => ticks++ });
    const { broker, runtime } = await start(service);

    expect(service.access()()).toMatchObject({ prepared: true, config: runtime.config });
    await expect(call(broker, 'identity.health')).resolves.toEqual({ status: 'ok' });
    await localDomainEvents.publish(outboxEntry('identity.user.deleted', { id: 7 }).envelope);
    expect(handled).toEqual([7]);
    await eventually(async () => ticks >= 2);

    await broker.stop();
    const ticksAtStop = ticks;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ticks).toBe(ticksAtStop);
    expect(() => service.access()()).toThrow('The identity service is not started');
    await expect(localDomainEvents.publish(outboxEntry('identity.user.deleted', { id: 8 }).envelope)).rejects.toThrow(
      'is stopped',
    );
    expect(runtime.resources.db.client.pool).toBeUndefined();
  });

  it("wakes the service's outbox relay when a transaction that recorded an event commits", async () => {
    const { broker, runtime } = await start(kitService());
    // Its poll stopped, so that every wake-up counted is a commit's.
    await runtime.resources.relay.stop();
    const notify = jest.spyOn(OutboxRelay.prototype, 'notify');
    try {
      let beforeCommit = -1;
      await runtime.resources.db.transaction(async (trx) => {
        await serviceEvents('identity').record(trx, 'identity.user.deleted', { id: 9 });
        beforeCommit = notify.mock.calls.length;
      });
      expect(beforeCommit).toBe(0);
      expect(notify).toHaveBeenCalledTimes(1);
      expect(notify.mock.contexts[0]).toBe(runtime.resources.relay);
    } finally {
      notify.mockRestore();
      await broker.stop();
    }
  });

  it('closes the database again when a later step of the start fails', async () => {
    let opened: ServiceRuntime['resources']['db'] | undefined;
    const service = kitService({
      prepare: (base) => {
        opened = base.resources.db;
        throw new Error('no signing key');
      },
    });
    await expect(start(service)).rejects.toThrow('no signing key');
    expect(opened).toBeDefined();
    expect(opened?.client.pool).toBeUndefined();
  });

  it('deletes published outbox rows older than OUTBOX_RETENTION_HOURS, on its own', async () => {
    const { broker, runtime } = await start(kitService(), { OUTBOX_RETENTION_HOURS: 1 });
    const { db } = runtime.resources;
    try {
      const old = outboxEntry('identity.user.deleted', { id: 1 });
      const recent = outboxEntry('identity.user.deleted', { id: 2 });
      const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
      await db(OUTBOX_TABLE).insert([
        { ...old, published_at: hoursAgo(2) },
        { ...recent, published_at: hoursAgo(0.5) },
      ]);

      await eventually(async () => (await db(OUTBOX_TABLE).where('id', old.id).first()) === undefined);
      expect(await db(OUTBOX_TABLE).where('id', recent.id).first('id')).toEqual({ id: recent.id });
    } finally {
      await broker.stop();
    }
  });
});
