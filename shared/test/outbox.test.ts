import os from 'node:os';
import knexFactory from 'knex';
import pg from 'pg';
import { connect, JSONCodec, type JetStreamManager, type NatsConnection } from 'nats';
import {
  attachRelay,
  createDatabase,
  createLogger,
  createOutboxTable,
  JetStreamPublisher,
  OUTBOX_TABLE,
  OutboxRelay,
  serviceEvents,
  type Database,
  type EventEnvelope,
  type EventPublisher,
  LocalEventBus,
  LocalPublisher,
} from '@ticketpro/shared';
import {
  assertNatsReachable,
  createTestDatabase,
  testNatsUrl,
  uniqueName,
  type TestDatabase,
} from '@ticketpro/shared/testing';

const logger = createLogger('test', 'silent');
const identityEvents = serviceEvents('identity');
const stream = uniqueName('OUTBOX');
const subjectPrefix = uniqueName('outbox');

/** Opens one instance of a service that owns an outbox. */
function openServiceDatabase(url: string): Promise<Database> {
  return createDatabase({
    schema: 'relay',
    url,
    dataDir: os.tmpdir(),
    migrations: [{ name: '001_outbox', up: createOutboxTable, down: (knex) => knex.schema.dropTable(OUTBOX_TABLE) }],
  });
}

describe('outbox', () => {
  let database: TestDatabase;
  let db: Database;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: JetStreamPublisher;

  beforeAll(async () => {
    await assertNatsReachable();
    database = await createTestDatabase('outbox');
    db = await openServiceDatabase(database.url);
    nc = await connect({ servers: testNatsUrl() });
    jsm = await nc.jetstreamManager();
    publisher = await JetStreamPublisher.connect({
      url: testNatsUrl(),
      stream,
      subjectPrefix,
      connectionName: 'outbox-test',
    });
  });

  afterAll(async () => {
    await publisher?.close();
    await jsm?.streams.delete(stream).catch(() => undefined);
    await nc?.drain();
    await db?.destroy();
    await database?.drop();
  });

  beforeEach(async () => {
    await db(OUTBOX_TABLE).truncate();
  });

  /** Commits `count` user-deleted events, as a service's write would. */
  function recordDeletions(count: number, firstId = 1): Promise<EventEnvelope[]> {
    return db.transaction(async (trx) => {
      const envelopes: EventEnvelope[] = [];
      for (let id = firstId; id < firstId + count; id += 1) {
        envelopes.push(await identityEvents.record(trx, 'identity.user.deleted', { id }));
      }
      return envelopes;
    });
  }

  async function lastSeq(): Promise<number> {
    return (await jsm.streams.info(stream)).state.last_seq;
  }

  async function unpublished(): Promise<number> {
    const [{ n }] = await db(OUTBOX_TABLE).whereNull('published_at').count({ n: '*' });
    return Number(n);
  }

  describe('recording an event', () => {
    it('writes the CloudEvents envelope into the outbox', async () => {
      const [envelope] = await recordDeletions(1, 42);
      expect(envelope).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: 'ticketpro.identity.user.deleted',
        source: 'identity',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        specversion: '1.0',
        dataversion: 1,
        data: { id: 42 },
      });
      const rows = await db(OUTBOX_TABLE).select('id', 'name', 'envelope', 'published_at');
      expect(rows).toEqual([{ id: envelope.id, name: 'identity.user.deleted', envelope, published_at: null }]);
    });

    it('refuses a payload that does not match the catalogue, and writes nothing', async () => {
      await expect(
        db.transaction((trx) =>
          identityEvents.record(trx, 'identity.user.registered', {
            id: 0,
            firstname: 'A',
            surname: 'B',
            role: 'root',
            active: true,
            email: 'a@b.example',
          } as never),
        ),
      ).rejects.toThrow(
        /identity\.user\.registered does not match its schema: id must be >= 1; role must be one of: user, organizer, admin/,
      );
      await expect(
        db.transaction((trx) =>
          identityEvents.record(trx, 'identity.user.deleted', { id: 1, email: 'x@y.z' } as never),
        ),
      ).rejects.toThrow(/email is not allowed/);
      expect(await db(OUTBOX_TABLE).count({ n: '*' })).toEqual([{ n: 0 }]);
    });

    it('leaves no event behind when the transaction rolls back', async () => {
      const failed = db.transaction(async (trx) => {
        await identityEvents.record(trx, 'identity.user.deleted', { id: 5 });
        throw new Error('the change itself failed');
      });
      await expect(failed).rejects.toThrow('the change itself failed');
      expect(await db(OUTBOX_TABLE).count({ n: '*' })).toEqual([{ n: 0 }]);
    });

    it("refuses another service's event", async () => {
      await expect(
        db.transaction((trx) =>
          identityEvents.record(trx, 'catalog.event.deleted' as never, { id: 1, organizer_id: 2 } as never),
        ),
      ).rejects.toThrow("identity cannot record catalog.event.deleted, another service's event");
    });
  });

  describe('waking the relay', () => {
    /** A second handle on the database with a relay attached whose wake-ups are counted (and do nothing else). */
    let attached: Database;
    let notify: jest.SpyInstance;

    beforeAll(async () => {
      attached = await openServiceDatabase(database.url);
      const relay = new OutboxRelay(attached, publisher, logger);
      notify = jest.spyOn(relay, 'notify').mockImplementation(() => undefined);
      attachRelay(attached, relay);
    });

    afterAll(async () => {
      await attached?.destroy();
    });

    beforeEach(() => notify.mockClear());

    it('happens when the transaction that recorded events commits, not before', async () => {
      let beforeCommit = -1;
      await attached.transaction(async (trx) => {
        await identityEvents.record(trx, 'identity.user.deleted', { id: 1 });
        await identityEvents.record(trx, 'identity.user.deleted', { id: 2 });
        beforeCommit = notify.mock.calls.length;
      });
      expect(beforeCommit).toBe(0);
      expect(notify).toHaveBeenCalled();
    });

    it('waits for the outermost transaction: a savepoint released commits nothing', async () => {
      let afterSavepoint = -1;
      await attached.transaction(async (trx) => {
        await trx.transaction((savepoint) => identityEvents.record(savepoint, 'identity.user.deleted', { id: 3 }));
        afterSavepoint = notify.mock.calls.length;
      });
      expect(afterSavepoint).toBe(0);
      expect(notify).toHaveBeenCalled();
    });

    it('never happens for a transaction rolled back', async () => {
      const failed = attached.transaction(async (trx) => {
        await identityEvents.record(trx, 'identity.user.deleted', { id: 4 });
        throw new Error('the change itself failed');
      });
      await expect(failed).rejects.toThrow('the change itself failed');
      await new Promise((resolve) => setImmediate(resolve));
      expect(notify).not.toHaveBeenCalled();
    });

    it('follows a statement that wrote its events itself, outside a transaction', async () => {
      const entry = identityEvents.entry('identity.user.deleted', { id: 5 });
      const inserted = await identityEvents.recordInStatement(attached, [entry], (insertEntries) =>
        attached.raw('WITH written AS (?) SELECT 1 AS one', [insertEntries.returning('id')]),
      );
      expect(inserted.rows).toEqual([{ one: 1 }]);
      expect(notify).toHaveBeenCalledTimes(1);
      expect(await db(OUTBOX_TABLE).where('id', entry.id).first('name', 'envelope')).toEqual({
        name: 'identity.user.deleted',
        envelope: entry.envelope,
      });
    });
  });

  describe('OutboxRelay', () => {
    it('publishes waiting events to JetStream in order, under their ids, and marks them published', async () => {
      const envelopes = await recordDeletions(3);
      const before = await lastSeq();
      expect(await new OutboxRelay(db, publisher, logger).flush()).toBe(3);

      const stored = await Promise.all([1, 2, 3].map((n) => jsm.streams.getMessage(stream, { seq: before + n })));
      expect(stored.map((m) => m.subject)).toEqual(Array(3).fill(`${subjectPrefix}.identity.user.deleted`));
      expect(stored.map((m) => m.header.get('Nats-Msg-Id'))).toEqual(envelopes.map((e) => e.id));
      expect(stored.map((m) => JSONCodec().decode(m.data))).toEqual(envelopes);
      expect(await unpublished()).toBe(0);
    });

    it('publishes nothing twice on the next flush', async () => {
      await recordDeletions(2);
      const relay = new OutboxRelay(db, publisher, logger);
      expect(await relay.flush()).toBe(2);
      const seq = await lastSeq();
      expect(await relay.flush()).toBe(0);
      expect(await lastSeq()).toBe(seq);
    });

    it('drains more events than one batch holds', async () => {
      await recordDeletions(12);
      expect(await new OutboxRelay(db, publisher, logger, { batchSize: 5 }).flush()).toBe(12);
      expect(await unpublished()).toBe(0);
    });

    it('stores an event once when a crash between publish and mark makes it go out again', async () => {
      const [envelope] = await recordDeletions(1);
      const before = await lastSeq();
      await publisher.publish(envelope);
      expect(await new OutboxRelay(db, publisher, logger).flush()).toBe(1);
      expect(await lastSeq()).toBe(before + 1);
    });

    it('with two relays draining one outbox at once, publishes each event exactly once', async () => {
      const envelopes = await recordDeletions(40);
      const delivered = new Map<string, number>();
      // A plain subscriber sees every publish, repeats included: JetStream only drops them from the stream.
      const subscription = nc.subscribe(`${subjectPrefix}.>`, {
        callback: (_err, msg) => {
          const { id } = JSONCodec<EventEnvelope>().decode(msg.data);
          delivered.set(id, (delivered.get(id) ?? 0) + 1);
        },
      });
      await nc.flush();
      const otherInstance = await openServiceDatabase(database.url);
      try {
        const counts = await Promise.all([
          new OutboxRelay(db, publisher, logger, { batchSize: 5 }).flush(),
          new OutboxRelay(otherInstance, publisher, logger, { batchSize: 5 }).flush(),
        ]);
        expect(counts[0] + counts[1]).toBe(40);
      } finally {
        await otherInstance.destroy();
      }
      await nc.flush();
      subscription.unsubscribe();
      expect(delivered.size).toBe(40);
      expect([...delivered.values()].every((n) => n === 1)).toBe(true);
      expect([...delivered.keys()].sort()).toEqual(envelopes.map((e) => e.id).sort());
      expect(await unpublished()).toBe(0);
    });

    it('publishes, on flush(), what was committed before the call even while a drain is under way', async () => {
      // Holds the first publish until released, so the second flush() arrives mid-drain.
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let publishing!: () => void;
      const firstPublish = new Promise<void>((resolve) => (publishing = resolve));
      const held: EventPublisher = {
        async publish(envelope) {
          publishing();
          await released;
          await publisher.publish(envelope);
        },
        close: async () => undefined,
        waitsForConsumers: false,
      };
      const relay = new OutboxRelay(db, held, logger);

      const [early] = await recordDeletions(1, 1);
      const first = relay.flush();
      await firstPublish;
      const [late] = await recordDeletions(1, 2);
      const second = relay.flush();
      release();
      await second;
      const published = await db(OUTBOX_TABLE).whereNotNull('published_at').pluck('id');
      await first;
      expect(published.sort()).toEqual([early.id, late.id].sort());
    });

    it('relays the commits of several notify() calls in quick succession in one drain', async () => {
      await recordDeletions(3);
      let drains = 0;
      const countDrains = (query: { sql: string }) => {
        if (/for update skip locked/i.test(query.sql)) drains += 1;
      };
      db.on('query', countDrains);
      try {
        const relay = new OutboxRelay(db, publisher, logger);
        for (let n = 0; n < 3; n += 1) relay.notify();
        while ((await unpublished()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(drains).toBe(1);
      } finally {
        db.off('query', countDrains);
      }
    });

    it("polls for rows no notify() announced (another instance's, say), draining only when one waits", async () => {
      let drains = 0;
      const countDrains = (query: { sql: string }) => {
        if (/for update skip locked/i.test(query.sql)) drains += 1;
      };
      const relay = new OutboxRelay(db, publisher, logger, { pollIntervalMs: 20 });
      relay.start();
      try {
        // Past the drain start() begins with.
        await new Promise((resolve) => setTimeout(resolve, 50));
        await relay.flush();
        db.on('query', countDrains);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(drains).toBe(0);
        // Recorded through `db`, to which no relay is attached: only the poll finds them.
        await recordDeletions(2);
        while ((await unpublished()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(drains).toBeGreaterThan(0);
      } finally {
        db.off('query', countDrains);
        await relay.stop();
      }
    });

    it('stop() flushes what is waiting and stops polling', async () => {
      const relay = new OutboxRelay(db, publisher, logger, { pollIntervalMs: 20 });
      relay.start();
      await recordDeletions(2);
      await relay.stop();
      expect(await unpublished()).toBe(0);
      await recordDeletions(1, 3);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await unpublished()).toBe(1);
    });
  });

  describe('to the in-process bus (embedded mode)', () => {
    const handledBy = (seen: string[]) => async (envelope: EventEnvelope) => {
      seen.push(envelope.id);
    };

    it('marks an event published only once every subscriber has handled it', async () => {
      const bus = new LocalEventBus();
      const seen: string[] = [];
      let failing = true;
      bus.subscribe({ name: 'steady', events: ['identity.user.deleted'], durable: true, deliver: handledBy(seen) });
      bus.subscribe({
        name: 'flaky',
        events: ['identity.user.deleted'],
        durable: true,
        deliver: async () => {
          if (failing) throw new Error('not now');
        },
      });
      const relay = new OutboxRelay(db, new LocalPublisher(bus), logger);
      const [event] = await recordDeletions(1);

      await expect(relay.flush()).rejects.toThrow('not now');
      expect(await unpublished()).toBe(1);
      failing = false;
      expect(await relay.flush()).toBe(1);
      expect(await unpublished()).toBe(0);
      // At least once: the steady subscriber was handed it again, which handleOnce makes harmless.
      expect(seen).toEqual([event.id, event.id]);
    });

    it("as its outbox's sole relay, polls only after a failed drain, until one succeeds", async () => {
      const bus = new LocalEventBus();
      let failing = false;
      let deliveries = 0;
      bus.subscribe({
        name: 'flaky',
        events: ['identity.user.deleted'],
        durable: true,
        deliver: async () => {
          deliveries += 1;
          if (failing) throw new Error('not now');
        },
      });
      const sole = await openServiceDatabase(database.url);
      const relay = new OutboxRelay(sole, new LocalPublisher(bus), logger, { pollIntervalMs: 20, soleRelay: true });
      attachRelay(sole, relay);
      // The poll's statement goes straight to the driver, past knex's query events.
      const driverQuery = jest.spyOn(pg.Client.prototype, 'query');
      const countPolls = () =>
        driverQuery.mock.calls.filter(([config]) => /select exists/i.test(JSON.stringify(config))).length;
      relay.start();
      try {
        // start()'s drain succeeds (nothing waits): from then on every row is announced, and the poll asks nothing.
        await relay.flush();
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(countPolls()).toBe(0);

        // A subscriber fails: the row waits, and only the poll will try it again.
        failing = true;
        await sole.transaction((trx) => identityEvents.record(trx, 'identity.user.deleted', { id: 1 }));
        while (deliveries < 3) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(countPolls()).toBeGreaterThan(0);
        expect(await unpublished()).toBe(1);

        failing = false;
        while ((await unpublished()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        // Give a poll in flight time to end, then none follows.
        await new Promise((resolve) => setTimeout(resolve, 50));
        const settled = countPolls();
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(countPolls()).toBe(settled);
      } finally {
        await relay.stop();
        driverQuery.mockRestore();
        await sole.destroy();
      }
    });

    it("holds no transaction while subscribers handle events: one may use the relay's own one-connection database", async () => {
      const single = knexFactory({
        client: 'pg',
        connection: database.url,
        searchPath: ['relay', 'public'],
        pool: { min: 0, max: 1 },
        acquireConnectionTimeout: 2000,
      });
      try {
        const bus = new LocalEventBus();
        const counted: number[] = [];
        bus.subscribe({
          name: 'reader',
          events: ['identity.user.deleted'],
          durable: true,
          deliver: async () => {
            counted.push(Number((await single(OUTBOX_TABLE).count({ n: '*' }))[0].n));
          },
        });
        await recordDeletions(2);
        expect(await new OutboxRelay(single, new LocalPublisher(bus), logger).flush()).toBe(2);
        expect(counted).toEqual([2, 2]);
        expect(await unpublished()).toBe(0);
      } finally {
        await single.destroy();
      }
    });
  });
});
