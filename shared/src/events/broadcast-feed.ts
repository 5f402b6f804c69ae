import { randomUUID } from 'node:crypto';
import { connect, Events, JSONCodec, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { localDomainEvents } from './local-bus';
import type { EventEnvelope, EventName } from './catalogue';
import { filterSubject } from './consumer';
import { ensureEventStream } from './publishers';

export interface BroadcastOptions<N extends EventName> {
  config: Config;
  logger: Logger;
  /** Names the NATS connection and the consumer, for operators. */
  name: string;
  events: readonly N[];
  /** JetStream: first deliver the events stored since this time. */
  since: Date;
  /** Called for each event, in order; it should not throw (a failure is logged, not retried). */
  handle(envelope: EventEnvelope<N>): void;
}

export interface BroadcastSubscription {
  /** Whether it delivers events published before it started (JetStream does; the local bus keeps none). */
  readonly replays: boolean;
  /**
   * Whether every event published so far has been delivered, as far as the subscription can
   * tell: the replay is done and the connection is up. While NATS is unreachable it is false.
   */
  readonly current: boolean;
  /** Resolves once the replay is delivered (at once where there is none). */
  readonly caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Every event, to every subscriber: each gateway instance needs to see all of identity's
 * revocations, where `subscribeToEvents` shares one durable consumer among a service's
 * instances so that each event is handled once. Distributed: a JetStream ordered consumer of
 * its own (ephemeral, in memory, recreated by the client after a reconnect or a gap) starting
 * at `since`. Embedded: the in-process bus, from now on.
 */
export function followBroadcast<N extends EventName>(options: BroadcastOptions<N>): Promise<BroadcastSubscription> {
  return options.config.NATS_URL ? followJetStream(options, options.config.NATS_URL) : followLocal(options);
}

function followLocal<N extends EventName>({ events, handle, logger, name }: BroadcastOptions<N>): Promise<BroadcastSubscription> {
  // Not durable: what a follower keeps is in memory, so once stopped it simply stops receiving.
  // The name is made unique, since one process may hold several followers of the same kind.
  const subscription = localDomainEvents.subscribe({
    name: `${name}_${randomUUID()}`,
    events,
    durable: false,
    async deliver(envelope) {
      try {
        handle(envelope as EventEnvelope<N>);
      } catch (err) {
        logger.error({ err, eventId: envelope.id, subscriber: name }, 'broadcast event handler failed');
      }
    },
  });
  return Promise.resolve({
    replays: false,
    current: true,
    caughtUp: Promise.resolve(),
    async stop() {
      subscription.stop();
    },
  });
}

async function followJetStream<N extends EventName>(options: BroadcastOptions<N>, url: string): Promise<BroadcastSubscription> {
  const { config, logger, name, events, since, handle } = options;
  const nc: NatsConnection = await connect({ servers: url, name, maxReconnectAttempts: -1 });
  let messages: ConsumerMessages;
  let pendingAtStart: number;
  try {
    await ensureEventStream(nc, config.EVENT_STREAM, config.EVENT_SUBJECT_PREFIX);
    const consumer = await nc.jetstream().consumers.get(config.EVENT_STREAM, {
      name_prefix: `${name.replace(/[^A-Za-z0-9_-]/g, '_')}_`,
      filterSubjects: filterSubject(config.EVENT_SUBJECT_PREFIX, events),
      opt_start_time: since.toISOString(),
    });
    messages = await consumer.consume();
    // The consumer as created: how many stored events it has to deliver before it is current.
    pendingAtStart = (await consumer.info(true)).num_pending;
  } catch (err) {
    await nc.close();
    throw err;
  }

  let connected = true;
  let replayed = pendingAtStart === 0;
  let markCaughtUp = () => undefined as void;
  const caughtUp = replayed ? Promise.resolve() : new Promise<void>((resolve) => (markCaughtUp = resolve));

  const wanted = new Set<string>(events.map((e) => `ticketpro.${e}`));
  const codec = JSONCodec<EventEnvelope<N>>();
  let delivered = 0;
  const deliver = (message: JsMsg) => {
    try {
      const envelope = codec.decode(message.data);
      if (wanted.has(envelope.type)) handle(envelope);
    } catch (err) {
      logger.error({ err, subject: message.subject, subscriber: name }, 'broadcast event not handled');
    }
    delivered += 1;
    if (!replayed && (message.info.pending === 0 || delivered >= pendingAtStart)) {
      replayed = true;
      markCaughtUp();
    }
  };

  const loop = (async () => {
    for await (const message of messages) deliver(message);
  })().catch((err) => logger.error({ err, subscriber: name }, 'broadcast consumer stopped'));

  // The ordered consumer resumes from its last event after a reconnect; until then, nothing
  // published meanwhile can have arrived.
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) connected = false;
      if (status.type === Events.Reconnect) connected = true;
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    replays: true,
    get current() {
      return replayed && connected;
    },
    caughtUp,
    stop() {
      stopping ??= (async () => {
        messages.stop();
        await loop;
        await nc.close();
      })();
      return stopping;
    },
  };
}
