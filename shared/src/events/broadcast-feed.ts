import { randomUUID } from 'node:crypto';
import { connect, Events, JSONCodec, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { localDomainEvents } from './local-bus';
import type { AcceptedEnvelope, AnyEventEnvelope, EventAcceptance } from './catalogue';
import { acceptedNames, verdictOn } from './acceptance';
import { filterSubject } from './consumer';
import { ensureEventStream } from './publishers';

export interface BroadcastOptions<A extends EventAcceptance> {
  config: Config;
  logger: Logger;
  /** Names the NATS connection and the consumer, for operators. */
  name: string;
  /**
   * The events followed, each with the versions read. A follower keeps no place to come back
   * to, so an event in a version it does not read is logged as an error and passed over: deploy
   * the followers that read a new version before the producer that records it.
   */
  events: A;
  /** JetStream: first deliver the events stored since this time. */
  since: Date;
  /** Called for each event, in order; it should not throw (a failure is logged, not retried). */
  handle(envelope: AcceptedEnvelope<A>): void;
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
export function followBroadcast<const A extends EventAcceptance>(
  options: BroadcastOptions<A>,
): Promise<BroadcastSubscription> {
  return options.config.NATS_URL ? followJetStream(options, options.config.NATS_URL) : followLocal(options);
}

/** Hands the follower an event it reads; logs one it cannot read. */
function deliverTo<A extends EventAcceptance>(
  { events, handle, logger, name }: BroadcastOptions<A>,
  envelope: AnyEventEnvelope,
): void {
  const verdict = verdictOn(events, envelope);
  if (verdict === 'handle') handle(envelope as AcceptedEnvelope<A>);
  else if (verdict !== 'ignore') {
    const { id: eventId, type, dataversion } = envelope;
    logger.error(
      { eventId, type, dataversion, subscriber: name },
      'passing over an event in a version this follower does not read',
    );
  }
}

function followLocal<A extends EventAcceptance>(options: BroadcastOptions<A>): Promise<BroadcastSubscription> {
  const { events, logger, name } = options;
  // Not durable: what a follower keeps is in memory, so once stopped it simply stops receiving.
  // The name is made unique, since one process may hold several followers of the same kind.
  const subscription = localDomainEvents.subscribe({
    name: `${name}_${randomUUID()}`,
    events: acceptedNames(events),
    durable: false,
    async deliver(envelope) {
      try {
        deliverTo(options, envelope);
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

async function followJetStream<A extends EventAcceptance>(
  options: BroadcastOptions<A>,
  url: string,
): Promise<BroadcastSubscription> {
  const { config, logger, name, events, since } = options;
  const nc: NatsConnection = await connect({ servers: url, name, maxReconnectAttempts: -1 });
  let messages: ConsumerMessages;
  let pendingAtStart: number;
  try {
    await ensureEventStream(nc, config.EVENT_STREAM, config.EVENT_SUBJECT_PREFIX);
    const consumer = await nc.jetstream().consumers.get(config.EVENT_STREAM, {
      name_prefix: `${name.replace(/[^A-Za-z0-9_-]/g, '_')}_`,
      filterSubjects: filterSubject(config.EVENT_SUBJECT_PREFIX, acceptedNames(events)),
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

  const codec = JSONCodec<AnyEventEnvelope>();
  let delivered = 0;
  const deliver = (message: JsMsg) => {
    try {
      deliverTo(options, codec.decode(message.data));
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
