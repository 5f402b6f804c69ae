import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { connect, type NatsConnection } from 'nats';
import {
  createDatabase,
  createLogger,
  createProcessedEventsTable,
  filterSubject,
  handleOnce,
  JetStreamPublisher,
  LocalPublisher,
  localDomainEvents,
  subscribeToEvents,
  type AcceptedEnvelope,
  type Database,
  type EventHandler,
  type EventSubscription,
} from '@ticketpro/shared';
import {
  assertNatsReachable,
  createTestDatabase,
  eventually,
  testConfig,
  testNatsUrl,
  uniqueName,
  type TestDatabase,
} from '@ticketpro/shared/testing';

jest.setTimeout(30_000);

const logger = createLogger('test', process.env.DEBUG_LOG ? 'debug' : 'silent');
const stream = uniqueName('CONSUMER').toUpperCase();
const prefix = uniqueName('consumer');
const USER_EVENTS = {
  'identity.user.registered': [1],
  'identity.user.updated': [1, 2],
  'identity.user.deleted': [1],
} as const;
type UserEvent = AcceptedEnvelope<typeof USER_EVENTS>;

const facts = (id: number) => ({ id, firstname: 'Rudo', surname: 'Sibanda', role: 'organizer' as const, active: true });
const envelopeAttributes = () => ({
  id: randomUUID(),
  source: 'identity',
  time: new Date().toISOString(),
  specversion: '1.0' as const,
});

/** A registration, or an update as identity recorded it before token versions (version 1). */
function userEvent(id: number, type: 'registered' | 'updated' = 'registered'): UserEvent {
  const common = { ...envelopeAttributes(), dataversion: 1 as const, data: facts(id) };
  return type === 'registered'
    ? { ...common, type: 'ticketpro.identity.user.registered' }
    : { ...common, type: 'ticketpro.identity.user.updated' };
}

/** An update as identity records it now (version 2, with the token version). */
function updatedWithTokenVersion(id: number): UserEvent {
  return {
    ...envelopeAttributes(),
    type: 'ticketpro.identity.user.updated',
    dataversion: 2,
    data: { ...facts(id), token_version: 1 },
  };
}

describe('filterSubject', () => {
  it('is the subject itself for one event, a wildcard over the last token for siblings, > otherwise', () => {
    expect(filterSubject('tp', ['identity.user.registered'])).toBe('tp.identity.user.registered');
    expect(filterSubject('tp', ['identity.user.registered', 'identity.user.updated', 'identity.user.deleted'])).toBe(
      'tp.identity.user.*',
    );
    expect(filterSubject('tp', ['identity.user.deleted', 'catalog.event.deleted'])).toBe('tp.>');
  });
});

describe('event consumers', () => {
  let database: TestDatabase;
  let db: Database;
  let nc: NatsConnection;
  let publisher: JetStreamPublisher;
  const subscriptions: EventSubscription[] = [];
  const config = testConfig({ NATS_URL: testNatsUrl(), EVENT_STREAM: stream, EVENT_SUBJECT_PREFIX: prefix });

  /** Records each handled event; fails the first attempt of the ids in `failOnce`. */
  const failOnce = new Set<number>();
  const record: EventHandler<typeof USER_EVENTS> = async (envelope, trx) => {
    if (failOnce.delete(envelope.data.id)) throw new Error('transient failure');
    await trx('seen').insert({ event_id: envelope.id, user_id: envelope.data.id });
  };
  const seenCount = async (userId: number) =>
    Number((await db('seen').where({ user_id: userId }).count({ n: '*' }))[0].n);
  const subscribe = async (name: string, cfg = config) => {
    const subscription = await subscribeToEvents({
      config: cfg,
      service: 'test',
      name,
      events: USER_EVENTS,
      db,
      logger,
      handle: record,
    });
    subscriptions.push(subscription);
    return subscription;
  };

  beforeAll(async () => {
    await assertNatsReachable();
    database = await createTestDatabase('consumer');
    db = await createDatabase({
      schema: 'consumer',
      url: database.url,
      dataDir: os.tmpdir(),
      migrations: [
        { name: '001_processed', up: createProcessedEventsTable, down: async () => undefined },
        {
          name: '002_seen',
          up: (knex) =>
            knex.schema.createTable('seen', (t) => {
              t.uuid('event_id').notNullable();
              t.integer('user_id').notNullable();
            }),
          down: async () => undefined,
        },
        {
          name: '004_batched',
          up: (knex) =>
            knex.schema.createTable('handled_in', (t) => {
              t.increments('seq');
              t.integer('user_id').notNullable();
              t.bigInteger('transaction_id').notNullable();
            }),
          down: async () => undefined,
        },
        {
          name: '005_removed',
          up: (knex) =>
            knex.schema.createTable('removed', (t) => {
              t.uuid('event_id').notNullable();
              t.integer('user_id').notNullable();
            }),
          down: async () => undefined,
        },
        {
          name: '003_read',
          up: (knex) =>
            knex.schema.createTable('read_by', (t) => {
              t.text('consumer').notNullable();
              t.integer('user_id').notNullable();
            }),
          down: async () => undefined,
        },
      ],
    });
    nc = await connect({ servers: testNatsUrl() });
    publisher = await JetStreamPublisher.connect({
      url: testNatsUrl(),
      stream,
      subjectPrefix: prefix,
      connectionName: 'consumer-test',
    });
  });

  afterAll(async () => {
    await Promise.all(subscriptions.map((s) => s.stop()));
    await publisher?.close();
    const jsm = await nc?.jetstreamManager();
    await jsm?.streams.delete(stream).catch(() => undefined);
    await nc?.drain();
    await db?.destroy();
    await database?.drop();
  });

  it('handles an event id once, even when it is delivered twice at once', async () => {
    const envelope = userEvent(1);
    const ran = await Promise.all([1, 2, 3].map(() => handleOnce<typeof USER_EVENTS>(db, 'direct', envelope, record)));
    expect(ran.filter(Boolean)).toHaveLength(1);
    expect(await seenCount(1)).toBe(1);
  });

  it('gets events published before it first subscribed, and a repeated event id once', async () => {
    const early = userEvent(10);
    await publisher.publish(early);
    const subscription = await subscribe('late-joiner');
    await eventually(async () => (await seenCount(10)) === 1);
    // The same envelope published again after JetStream's duplicate window would be a new
    // message; simulate that with the publisher's dedup bypassed by a raw publish.
    await nc.jetstream().publish(`${prefix}.identity.user.registered`, JSON.stringify(early));
    const marker = userEvent(11);
    await publisher.publish(marker);
    await eventually(async () => (await seenCount(11)) === 1);
    expect(await seenCount(10)).toBe(1);
    await subscription.stop();
  });

  it('catches up with what was published while it was stopped', async () => {
    const first = await subscribe('restarts');
    await publisher.publish(userEvent(20));
    await eventually(async () => (await seenCount(20)) === 1);
    await first.stop();
    await publisher.publish(userEvent(21, 'updated'));
    await publisher.publish(userEvent(22));
    const again = await subscribe('restarts');
    await eventually(async () => (await seenCount(21)) === 1 && (await seenCount(22)) === 1);
    expect(await seenCount(20)).toBe(1);
    await again.stop();
  });

  it('shares one durable between two instances: every event handled exactly once', async () => {
    await Promise.all([subscribe('shared'), subscribe('shared')]);
    const ids = Array.from({ length: 40 }, (_, i) => 100 + i);
    for (const id of ids) await publisher.publish(userEvent(id));
    await eventually(
      async () => Number((await db('seen').whereIn('user_id', ids).count({ n: '*' }))[0].n) >= ids.length,
    );
    const rows = await db('seen').whereIn('user_id', ids).select('user_id');
    expect(rows.map((r) => r.user_id).sort()).toEqual(ids);
  });

  it('delivers again an event whose handler failed', async () => {
    await subscribe('retries');
    failOnce.add(300);
    await publisher.publish(userEvent(300));
    await eventually(async () => (await seenCount(300)) === 1, 15_000);
    expect(failOnce.has(300)).toBe(false);
  });

  describe('events that arrive while a batch is handled', () => {
    const gates: (() => void)[] = [];
    /** What each transaction's `afterBatch` was given, of the tests' ranges. */
    const afterBatches: { userIds: number[]; transactionId: string }[] = [];
    // A test that failed before its release would leave its consumer waiting, and stop() with it.
    afterAll(() => gates.forEach((release) => release()));
    /**
     * A consumer of the user ids in `range` recording each handling's transaction; the handling of
     * `range[0]` waits for `release`, and the ids in `failOnce` fail their first attempt.
     */
    const subscribeBatching = async (name: string, range: number[]) => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      gates.push(release);
      const transactionId = async (trx: Knex.Transaction) =>
        (await trx.raw<{ rows: { id: string }[] }>('SELECT txid_current() AS id')).rows[0].id;
      const subscription = await subscribeToEvents({
        config,
        service: 'test',
        name,
        events: USER_EVENTS,
        db,
        logger,
        handle: async (envelope, trx) => {
          const userId = envelope.data.id;
          if (!range.includes(userId)) return;
          if (userId === range[0]) await released;
          if (failOnce.delete(userId)) throw new Error('transient failure');
          await trx('handled_in').insert({ user_id: userId, transaction_id: await transactionId(trx) });
        },
        afterBatch: async (envelopes, trx) => {
          const ids = envelopes.map((envelope) => envelope.data.id).filter((id) => range.includes(id));
          if (ids.length > 0) afterBatches.push({ userIds: ids, transactionId: await transactionId(trx) });
        },
      });
      subscriptions.push(subscription);
      return { release };
    };
    const handlings = (range: number[]) =>
      db('handled_in').whereIn('user_id', range).orderBy('seq').select('user_id', 'transaction_id');
    /**
     * Once the consumer has caught up with the stream, publishes the first of the range, and the
     * rest once that one is being handled; resolves when they are all waiting behind it.
     */
    const publishBehindTheFirst = async (consumer: string, range: number[]) => {
      const jsm = await nc.jetstreamManager();
      const info = () => jsm.consumers.info(stream, consumer);
      await eventually(async () => {
        const { num_pending, num_ack_pending } = await info();
        return num_pending === 0 && num_ack_pending === 0;
      });
      await publisher.publish(userEvent(range[0]));
      await eventually(async () => (await info()).num_ack_pending === 1);
      for (const id of range.slice(1)) await publisher.publish(userEvent(id));
      await eventually(async () => (await info()).num_ack_pending === range.length);
    };

    it('handles them in one transaction, in their order', async () => {
      const range = [600, 601, 602, 603, 604];
      const { release } = await subscribeBatching('batches', range);
      await publishBehindTheFirst('test_batches', range);
      release();

      await eventually(async () => (await handlings(range)).length === range.length);
      const rows = await handlings(range);
      expect(rows.map((r) => r.user_id)).toEqual(range);
      expect(new Set(rows.slice(1).map((r) => r.transaction_id)).size).toBe(1);
      expect(rows[1].transaction_id).not.toBe(rows[0].transaction_id);
      // Once per transaction, after its events, with all of them.
      expect(afterBatches.filter((b) => b.userIds.some((id) => range.includes(id)))).toEqual([
        { userIds: [600], transactionId: rows[0].transaction_id },
        { userIds: [601, 602, 603, 604], transactionId: rows[1].transaction_id },
      ]);
    });

    it('keeps the others of a batch when one fails, and delivers that one again', async () => {
      const range = [610, 611, 612, 613, 614];
      const { release } = await subscribeBatching('batch-failure', range);
      await publishBehindTheFirst('test_batch-failure', range);
      failOnce.add(612);
      release();

      await eventually(async () => (await handlings(range)).length === range.length, 15_000);
      const rows = await handlings(range);
      expect(rows.map((r) => r.user_id).sort()).toEqual(range);
      expect(rows.filter((r) => r.user_id !== 612).map((r) => r.user_id)).toEqual([610, 611, 613, 614]);
      expect(failOnce.has(612)).toBe(false);
    });
  });

  it('handles once each event of a batch its consumer died in, when they are delivered again', async () => {
    const ackWaitMs = 1_000;
    const range = [800, 801, 802, 803, 804];
    const removal = (id: number) => ({
      ...envelopeAttributes(),
      type: 'ticketpro.identity.user.deleted' as const,
      dataversion: 1 as const,
      data: { id },
    });
    // Waiting when the consumer starts: the first is handled alone, the rest together behind it.
    for (const id of range) await publisher.publish(removal(id));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'support', 'crashing-consumer.ts'), '802'],
      {
        cwd: path.resolve(__dirname, '../..'),
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          CONSUMER_SCHEMA: 'consumer',
          NATS_URL: testNatsUrl(),
          EVENT_STREAM: stream,
          EVENT_SUBJECT_PREFIX: prefix,
          CONSUMER_NAME: 'crash',
          CONSUMER_ACK_WAIT_MS: String(ackWaitMs),
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const handledIn = new Map<number, string>();
    child.on('message', (m: { userId: number; transactionId: string }) => handledIn.set(m.userId, m.transactionId));
    const exited = once(child, 'exit');
    try {
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`the consumer exited (${child.exitCode}):\n${output}`);
        return handledIn.has(802);
      }, 20_000);
    } finally {
      // Killed whatever happened: left running (when the wait above fails), it would keep its
      // transaction open and this jest worker alive, which jest then has to force to exit.
      child.kill('SIGKILL');
      await exited;
    }
    // It died with 801 handled in the transaction 802 never finished: the middle of a batch.
    expect(handledIn.get(801)).toBe(handledIn.get(802));

    await subscribeToEvents({
      config,
      service: 'test',
      name: 'crash',
      events: { 'identity.user.deleted': [1] },
      db,
      logger,
      ackWaitMs,
      handle: async (envelope, trx) => {
        await trx('removed').insert({ event_id: envelope.id, user_id: envelope.data.id });
      },
    }).then((subscription) => subscriptions.push(subscription));
    const jsm = await nc.jetstreamManager();
    await eventually(async () => {
      const { num_pending, num_ack_pending } = await jsm.consumers.info(stream, 'test_crash');
      return num_pending === 0 && num_ack_pending === 0;
    }, 20_000);
    const rows = await db('removed').whereIn('user_id', range).orderBy('user_id').select('user_id');
    expect(rows.map((r) => r.user_id)).toEqual(range);
  });

  describe('event versions', () => {
    /** A consumer of `identity.user.updated` that reads only `versions`, recording what it handled. */
    const subscribeReading = async (name: string, versions: readonly (1 | 2)[], cfg = config) => {
      // The other tests' consumers follow these events too; each consumer keeps its own record.
      const subscription = await subscribeToEvents({
        config: cfg,
        service: 'test',
        name,
        events: { 'identity.user.updated': versions },
        db,
        logger,
        handle: async (envelope, trx) => {
          await trx('read_by').insert({ consumer: name, user_id: envelope.data.id });
        },
      });
      subscriptions.push(subscription);
      return subscription;
    };

    const readBy = async (consumer: string, userId: number) =>
      Number((await db('read_by').where({ consumer, user_id: userId }).count({ n: '*' }))[0].n);

    it('skips a version older than the ones a consumer reads, and goes on with the next event', async () => {
      await subscribeReading('reads-v2', [2]);
      await publisher.publish(userEvent(500, 'updated'));
      await publisher.publish(updatedWithTokenVersion(501));

      await eventually(async () => (await readBy('reads-v2', 501)) === 1);
      expect(await readBy('reads-v2', 500)).toBe(0);
      const info = await (await nc.jetstreamManager()).consumers.info(stream, 'test_reads-v2');
      expect(info.num_ack_pending).toBe(0);
    });

    it('keeps a version newer than the ones a consumer reads for a consumer that reads it, losing nothing', async () => {
      const old = await subscribeReading('reads-v1', [1]);
      await publisher.publish(updatedWithTokenVersion(510));
      await publisher.publish(userEvent(511, 'updated'));

      // The event it can read after it is handled; the newer one waits, delivered again and again.
      await eventually(async () => (await readBy('reads-v1', 511)) === 1);
      const jsm = await nc.jetstreamManager();
      await eventually(async () => (await jsm.consumers.info(stream, 'test_reads-v1')).num_redelivered > 0, 15_000);
      expect(await readBy('reads-v1', 510)).toBe(0);

      // A consumer that reads version 2 is deployed under the same durable name: it gets the event.
      await old.stop();
      await subscribeReading('reads-v1', [1, 2]);
      await eventually(async () => (await readBy('reads-v1', 510)) === 1, 15_000);
    });

    // Before the next test: a stopped durable subscriber keeps later events of its types waiting.
    it('in embedded mode, holds a newer version in its outbox (publish does not resolve) until the consumer stops', async () => {
      const subscription = await subscribeReading('embedded-reads-v1', [1], testConfig({}));
      const bus = new LocalPublisher(localDomainEvents);
      await bus.publish(userEvent(520, 'updated'));
      expect(await readBy('embedded-reads-v1', 520)).toBe(1);

      let settled = false;
      const waiting = bus.publish(updatedWithTokenVersion(521)).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(settled).toBe(false);
      expect(await readBy('embedded-reads-v1', 521)).toBe(0);

      await subscription.stop();
      await expect(waiting).rejects.toThrow('event subscriber test_embedded-reads-v1 is stopped');
      expect(await readBy('embedded-reads-v1', 521)).toBe(0);
    });
  });

  it('acknowledges, unread, an event its filter subject covers but it does not follow', async () => {
    const ownLogger = createLogger('test', 'silent');
    const errors = jest.spyOn(ownLogger, 'error');
    const handled: number[] = [];
    // Two of the three user events: its filter subject, `<prefix>.identity.user.*`, covers the third.
    const subscription = await subscribeToEvents({
      config,
      service: 'test',
      name: 'follows-two',
      events: { 'identity.user.registered': [1], 'identity.user.updated': [1, 2] },
      db,
      logger: ownLogger,
      handle: async (envelope) => {
        handled.push(envelope.data.id);
      },
    });
    subscriptions.push(subscription);
    // Not JSON: read, it would be dropped as unreadable, and logged.
    await nc.jetstream().publish(`${prefix}.identity.user.deleted`, new TextEncoder().encode('not an envelope'));
    await publisher.publish(userEvent(600));

    await eventually(async () => handled.includes(600));
    const jsm = await nc.jetstreamManager();
    await eventually(async () => {
      const info = await jsm.consumers.info(stream, 'test_follows-two');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
    expect(errors).not.toHaveBeenCalled();
  });

  it('uses the in-process bus in embedded mode: handled once before publish resolves, retried, and kept while stopped', async () => {
    const embedded = testConfig({});
    const subscription = await subscribe('embedded', embedded);
    const bus = new LocalPublisher(localDomainEvents);
    const event = userEvent(400);
    await bus.publish(event);
    expect(await seenCount(400)).toBe(1);
    await bus.publish(event);
    expect(await seenCount(400)).toBe(1);

    failOnce.add(402);
    await bus.publish(userEvent(402));
    expect(await seenCount(402)).toBe(1);

    await subscription.stop();
    await expect(bus.publish(userEvent(401))).rejects.toThrow('event subscriber test_embedded is stopped');
    expect(await seenCount(401)).toBe(0);
  });
});
