import { connect, type NatsConnection } from 'nats';
import { JetStreamPublisher } from '../events/publishers';
import { assertNatsReachable, testNatsUrl, uniqueName } from './index';

/**
 * A JetStream stream and subject prefix of a test file's own, so that files running at once on
 * one NATS server never see each other's events, with a publisher that publishes as the
 * services' outbox relays do. `close` deletes the stream.
 */
export interface TestEventStream {
  prefix: string;
  stream: string;
  /** The settings that point a node at this stream. */
  config: { NATS_URL: string; EVENT_SUBJECT_PREFIX: string; EVENT_STREAM: string };
  publisher: JetStreamPublisher;
  /** For raw publishes and the consumers' state. */
  nc: NatsConnection;
  close(): Promise<void>;
}

export async function openTestEventStream(connectionName: string): Promise<TestEventStream> {
  await assertNatsReachable();
  const prefix = uniqueName('tp');
  const stream = uniqueName('TP').toUpperCase();
  const publisher = await JetStreamPublisher.connect({
    url: testNatsUrl(),
    stream,
    subjectPrefix: prefix,
    connectionName,
  });
  const nc = await connect({ servers: testNatsUrl() });
  return {
    prefix,
    stream,
    config: { NATS_URL: testNatsUrl(), EVENT_SUBJECT_PREFIX: prefix, EVENT_STREAM: stream },
    publisher,
    nc,
    async close() {
      await publisher.close();
      await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
}
