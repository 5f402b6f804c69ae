import { randomUUID } from 'node:crypto';
import { connect, JSONCodec, type JetStreamManager, type NatsConnection } from 'nats';
import {
  ensureEventStream,
  JetStreamPublisher,
  LocalEventBus,
  LocalPublisher,
  subjectFor,
  type AnyEventEnvelope,
  type EventEnvelope,
} from '@ticketpro/shared';
import { assertNatsReachable, testNatsUrl, uniqueName } from '@ticketpro/shared/testing';

function userDeleted(id: number): EventEnvelope<'identity.user.deleted'> {
  return {
    id: randomUUID(),
    type: 'ticketpro.identity.user.deleted',
    source: 'identity',
    time: new Date().toISOString(),
    specversion: '1.0',
    dataversion: 1,
    data: { id },
  };
}

describe('JetStreamPublisher', () => {
  const stream = uniqueName('PUBLISHERS');
  const subjectPrefix = uniqueName('publishers');
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: JetStreamPublisher;

  beforeAll(async () => {
    await assertNatsReachable();
    nc = await connect({ servers: testNatsUrl() });
    jsm = await nc.jetstreamManager();
    publisher = await JetStreamPublisher.connect({
      url: testNatsUrl(),
      stream,
      subjectPrefix,
      connectionName: 'publishers-test',
    });
  });

  afterAll(async () => {
    await publisher?.close();
    await jsm?.streams.delete(stream).catch(() => undefined);
    await nc?.drain();
  });

  it('creates the stream over its subject prefix, with a window that drops repeats', async () => {
    const { config } = await jsm.streams.info(stream);
    expect(config.subjects).toEqual([`${subjectPrefix}.>`]);
    expect(config.duplicate_window).toBeGreaterThan(0);
  });

  it("stores an event on its subject under its id as Nats-Msg-Id, once however often it's published", async () => {
    const before = (await jsm.streams.info(stream)).state.last_seq;
    const envelope = userDeleted(7);
    await publisher.publish(envelope);
    await publisher.publish(envelope);

    const { state } = await jsm.streams.info(stream);
    expect(state.last_seq).toBe(before + 1);
    const stored = await jsm.streams.getMessage(stream, { seq: state.last_seq });
    expect(stored.subject).toBe(subjectFor(subjectPrefix, 'identity.user.deleted'));
    expect(stored.header.get('Nats-Msg-Id')).toBe(envelope.id);
    expect(JSONCodec().decode(stored.data)).toEqual(envelope);
  });

  it('stores distinct events separately', async () => {
    const before = (await jsm.streams.info(stream)).state.last_seq;
    await publisher.publish(userDeleted(8));
    await publisher.publish(userDeleted(8));
    expect((await jsm.streams.info(stream)).state.last_seq).toBe(before + 2);
  });
});

describe('ensureEventStream', () => {
  const connections: NatsConnection[] = [];
  const streams: string[] = [];

  beforeAll(async () => {
    await assertNatsReachable();
    connections.push(...(await Promise.all([1, 2].map(() => connect({ servers: testNatsUrl() })))));
  });

  afterAll(async () => {
    const jsm = await connections[0]?.jetstreamManager();
    await Promise.all(streams.map((s) => jsm?.streams.delete(s).catch(() => undefined)));
    await Promise.all(connections.map((c) => c.drain()));
  });

  it('lets two services racing to create the stream both succeed', async () => {
    const stream = uniqueName('RACE');
    const prefix = uniqueName('race');
    streams.push(stream);
    await Promise.all(connections.map((nc) => ensureEventStream(nc, stream, prefix)));
    const info = await (await connections[0].jetstreamManager()).streams.info(stream);
    expect(info.config.subjects).toEqual([`${prefix}.>`]);
  });

  it('leaves an existing stream and its messages alone', async () => {
    const stream = uniqueName('EXISTING');
    const prefix = uniqueName('existing');
    streams.push(stream);
    const [nc] = connections;
    await ensureEventStream(nc, stream, prefix);
    await nc.jetstream().publish(`${prefix}.identity.user.deleted`, JSONCodec().encode(userDeleted(1)));
    await ensureEventStream(nc, stream, prefix);
    expect((await (await nc.jetstreamManager()).streams.info(stream)).state.messages).toBe(1);
  });
});

describe('LocalPublisher', () => {
  it('hands each event to the in-process bus, resolving once its subscribers have handled it', async () => {
    const bus = new LocalEventBus();
    const handled: AnyEventEnvelope[] = [];
    bus.subscribe({
      name: 'recorder',
      events: ['identity.user.deleted'],
      durable: true,
      deliver: async (envelope) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        handled.push(envelope);
      },
    });
    const publisher = new LocalPublisher(bus);
    const envelope = userDeleted(3);
    await publisher.publish(envelope);
    expect(handled).toEqual([envelope]);
    expect(publisher.waitsForConsumers).toBe(true);
    await publisher.close();
  });
});
