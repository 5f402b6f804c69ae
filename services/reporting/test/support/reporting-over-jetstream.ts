import { connect, type NatsConnection } from 'nats';
import { JetStreamPublisher, outboxEntry, type EventData, type EventEnvelope, type EventName } from '@ticketpro/shared';
import {
  assertNatsReachable,
  startServiceNode,
  testNatsUrl,
  uniqueName,
  type ServiceNode,
} from '@ticketpro/shared/testing';
import { createReportingService } from '../../src';

/** A reporting node fed over real JetStream, on a stream and subjects of its own. */
export interface ReportingOverJetStream {
  node: ServiceNode<'reporting'>;
  /** Publishes as the services do (deduplicated by event id). */
  publisher: JetStreamPublisher;
  /** For raw publishes and the consumers' state. */
  nc: NatsConnection;
  prefix: string;
  stream: string;
  stop(): Promise<void>;
}

export async function startReportingOverJetStream(label: string): Promise<ReportingOverJetStream> {
  await assertNatsReachable();
  const prefix = uniqueName('tp');
  const stream = uniqueName('TP').toUpperCase();
  const publisher = await JetStreamPublisher.connect({
    url: testNatsUrl(),
    stream,
    subjectPrefix: prefix,
    connectionName: 'test',
  });
  const nc = await connect({ servers: testNatsUrl() });
  const node = await startServiceNode({
    label,
    services: { reporting: (deps) => createReportingService(deps) },
    config: { NATS_URL: testNatsUrl(), EVENT_SUBJECT_PREFIX: prefix, EVENT_STREAM: stream },
  });
  return {
    node,
    publisher,
    nc,
    prefix,
    stream,
    async stop() {
      await node.stop();
      await publisher.close();
      await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
}

/** An event as its producer's outbox records it, at `time`. */
export const envelopeAt = <N extends EventName>(name: N, data: EventData<N>, time: string): EventEnvelope<N> => ({
  ...outboxEntry(name, data).envelope,
  time,
});
