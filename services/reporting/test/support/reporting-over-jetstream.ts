import type { NatsConnection } from 'nats';
import {
  outboxEntry,
  type EventData,
  type EventEnvelope,
  type EventName,
  type JetStreamPublisher,
} from '@ticketpro/shared';
import { openTestEventStream, startServiceNode, type ServiceNode } from '@ticketpro/shared/testing';
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
  const events = await openTestEventStream('test');
  const node = await startServiceNode({
    label,
    services: { reporting: (deps) => createReportingService(deps) },
    config: events.config,
  });
  return {
    node,
    publisher: events.publisher,
    nc: events.nc,
    prefix: events.prefix,
    stream: events.stream,
    async stop() {
      await node.stop();
      await events.close();
    },
  };
}

/** An event as its producer's outbox records it, at `time`. */
export const envelopeAt = <N extends EventName>(name: N, data: EventData<N>, time: string): EventEnvelope<N> => ({
  ...outboxEntry(name, data).envelope,
  time,
});
