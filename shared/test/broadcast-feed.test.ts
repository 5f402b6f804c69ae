import { connect } from 'nats';
import {
  createLogger,
  followBroadcast,
  JetStreamPublisher,
  localDomainEvents,
  outboxEntry,
  type BroadcastSubscription,
} from '@ticketpro/shared';
import { assertNatsReachable, testConfig, testNatsUrl, uniqueName } from '@ticketpro/shared/testing';
import { privateNatsServer } from '@ticketpro/tests/support/nats-server';

jest.setTimeout(60_000);

const logger = createLogger('broadcast-test', 'silent');
const EVENTS = { 'identity.user.deleted': [1], 'identity.session.revoked': [1] } as const;

const userDeleted = (id: number) => outboxEntry('identity.user.deleted', { id }).envelope;
const userRegistered = (id: number) =>
  outboxEntry('identity.user.registered', {
    id,
    firstname: 'Ada',
    surname: 'Lovelace',
    role: 'user',
    active: true,
    email: 'ada@example.test',
  }).envelope;

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A subscription and the ids of the users whose events it received, in order. */
async function follow(config: ReturnType<typeof testConfig>, since = new Date()) {
  const received: number[] = [];
  const subscription = await followBroadcast({
    config,
    logger,
    name: uniqueName('follower'),
    events: EVENTS,
    since,
    handle: (envelope) => {
      if (envelope.type === 'ticketpro.identity.user.deleted') received.push(envelope.data.id);
    },
  });
  return { subscription, received };
}

describe('followBroadcast over JetStream', () => {
  const id = uniqueName('broadcast');
  const config = testConfig({ NATS_URL: testNatsUrl(), EVENT_SUBJECT_PREFIX: id, EVENT_STREAM: id.toUpperCase() });
  let publisher: JetStreamPublisher;
  const subscriptions: BroadcastSubscription[] = [];

  beforeAll(async () => {
    await assertNatsReachable();
    publisher = await JetStreamPublisher.connect({
      url: testNatsUrl(),
      stream: config.EVENT_STREAM,
      subjectPrefix: config.EVENT_SUBJECT_PREFIX,
      connectionName: 'broadcast-test',
    });
  });
  afterAll(async () => {
    await Promise.all(subscriptions.map((s) => s.stop()));
    await publisher?.close();
    const nc = await connect({ servers: testNatsUrl() });
    await (await nc.jetstreamManager()).streams.delete(config.EVENT_STREAM).catch(() => undefined);
    await nc.close();
  });

  const start = async (since?: Date) => {
    const followed = await follow(config, since);
    subscriptions.push(followed.subscription);
    return followed;
  };

  it('delivers every event to every subscriber, only the events it follows', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.subscription).toMatchObject({ replays: true, current: true });
    await publisher.publish(userDeleted(1));
    await publisher.publish(userRegistered(2));
    await publisher.publish(userDeleted(3));
    await eventually(() => a.received.length === 2 && b.received.length === 2);
    expect(a.received).toEqual([1, 3]);
    expect(b.received).toEqual([1, 3]);
  });

  it('replays what was stored since the time asked, and is current once it has', async () => {
    const before = new Date(Date.now() - 1000);
    for (let i = 100; i < 150; i++) await publisher.publish(userDeleted(i));
    const late = await start(before);
    const fromNow = await start(new Date(Date.now() + 1000));
    await late.subscription.caughtUp;
    expect(late.subscription.current).toBe(true);
    expect(late.received).toEqual(expect.arrayContaining(Array.from({ length: 50 }, (_, i) => 100 + i)));
    expect(late.received.indexOf(149)).toBeGreaterThan(late.received.indexOf(100));
    expect(fromNow.received).toEqual([]);
  });
});

describe('followBroadcast across a NATS restart', () => {
  it('is not current while NATS is away, then is again and goes on delivering', async () => {
    const server = await privateNatsServer('broadcast');
    const config = testConfig({ NATS_URL: server.url, EVENT_SUBJECT_PREFIX: 'restart', EVENT_STREAM: 'RESTART' });
    const publisher = await JetStreamPublisher.connect({
      url: server.url,
      stream: config.EVENT_STREAM,
      subjectPrefix: config.EVENT_SUBJECT_PREFIX,
      connectionName: 'broadcast-restart',
    });
    const { subscription, received } = await follow(config);
    try {
      await publisher.publish(userDeleted(1));
      await eventually(() => received.length === 1);

      await server.stop();
      await eventually(() => !subscription.current);
      await server.start();
      await eventually(() => subscription.current, 20_000);
      await eventually(() => {
        void publisher.publish(userDeleted(2)).catch(() => undefined);
        return received.includes(2);
      }, 20_000);
      expect(received[0]).toBe(1);
    } finally {
      await subscription.stop();
      await publisher.close().catch(() => undefined);
      await server.destroy();
    }
  });
});

describe('followBroadcast in one process (embedded mode)', () => {
  it('delivers the events of the in-process bus from now on, with no history', async () => {
    const { subscription, received } = await follow(testConfig());
    expect(subscription).toMatchObject({ replays: false, current: true });
    await localDomainEvents.publish(userDeleted(5));
    await localDomainEvents.publish(userRegistered(6));
    await subscription.stop();
    await localDomainEvents.publish(userDeleted(7));
    expect(received).toEqual([5]);
  });
});
