import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  JSONCodec,
  nanos,
  type ConsumerConfig,
  type ConsumerMessages,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import type { Config } from '../config';
import type { Logger } from '../logger';
import {
  subjectFor,
  type AcceptedEnvelope,
  type AnyEventEnvelope,
  type EventAcceptance,
  type EventName,
} from './catalogue';
import { acceptedNames, UnacceptedVersionError, verdictOn } from './acceptance';
import { ensureEventStream } from './publishers';
import { localDomainEvents, SubscriberStoppedError } from './local-bus';
import { GroupCommit } from '../group-commit';
import { prepared } from '../prepared-statements';

export const PROCESSED_EVENTS_TABLE = 'processed_events';

/** For the migrations of a service that consumes events: which event ids each consumer handled. */
export async function createProcessedEventsTable(knex: Knex): Promise<void> {
  await knex.schema.createTable(PROCESSED_EVENTS_TABLE, (t) => {
    t.text('consumer').notNullable();
    t.uuid('event_id').notNullable();
    t.timestamp('processed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['consumer', 'event_id']);
  });
}

/** Handles one event, in the versions its consumer accepts, in the transaction that records it handled. */
export type EventHandler<A extends EventAcceptance> = (
  envelope: AcceptedEnvelope<A>,
  trx: Knex.Transaction,
) => Promise<void>;

/**
 * Runs once in each transaction that handled events of a consumer, after them, with every event
 * it handled (one, or a batch): for what depends on all of them together rather than on each,
 * such as a read model's clock moved to the latest, written once instead of once per event.
 */
export type BatchHandler<A extends EventAcceptance> = (
  envelopes: AcceptedEnvelope<A>[],
  trx: Knex.Transaction,
) => Promise<void>;

/**
 * Records the events handled by this consumer, in `trx`; resolves to the ids that were not yet
 * (a copy later in `envelopes` of an id finds it taken). One text whatever the batch's size, the
 * ids travelling as an array, so Postgres prepares it once per connection instead of parsing and
 * planning a new text for each size of batch.
 */
async function claimEvents(trx: Knex.Transaction, consumer: string, envelopes: { id: string }[]): Promise<Set<string>> {
  const { rows } = await prepared(
    trx.raw<{ rows: { event_id: string }[] }>(
      `INSERT INTO ${PROCESSED_EVENTS_TABLE} (consumer, event_id) SELECT ?, unnest(?::uuid[])
        ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
      [consumer, envelopes.map((envelope) => envelope.id)],
    ),
  );
  return new Set(rows.map((row) => row.event_id));
}

/**
 * Runs `handle` at most once per event id for this consumer: the processed-event row and the
 * handler's changes (and `afterBatch`'s) commit together. A copy arriving while the first is
 * being handled waits on the row's unique key and then finds it taken. Resolves to whether the
 * handler ran.
 */
export async function handleOnce<A extends EventAcceptance>(
  db: Knex,
  consumer: string,
  envelope: AcceptedEnvelope<A>,
  handle: EventHandler<A>,
  afterBatch?: BatchHandler<A>,
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const claimed = await claimEvents(trx, consumer, [envelope]);
    if (claimed.size === 0) return false;
    await handle(envelope, trx);
    await afterBatch?.([envelope], trx);
    return true;
  });
}

export interface SubscriptionOptions<A extends EventAcceptance> {
  config: Config;
  /** The consuming service; with `name` it names the durable consumer. */
  service: string;
  name: string;
  /** The events it follows, each with the versions it reads (see `verdictOn` for the others). */
  events: A;
  db: Knex;
  logger: Logger;
  handle: EventHandler<A>;
  afterBatch?: BatchHandler<A>;
  /**
   * How long JetStream waits for an event's acknowledgment before delivering it again, as to an
   * instance that died while handling it (default 30 s; every instance of a consumer gives the same).
   */
  ackWaitMs?: number;
}

export interface EventSubscription {
  /** Stops taking events and waits for the one being handled. */
  stop(): Promise<void>;
}

/**
 * Delivers the given domain events to `handle`, each event id once. Distributed: a durable
 * JetStream pull consumer shared by every instance of the service, starting from the first
 * event in the stream, so events published while the service was down arrive when it is back;
 * an event whose handler fails is delivered again later. Embedded: the in-process bus.
 */
export function subscribeToEvents<const A extends EventAcceptance>(
  options: SubscriptionOptions<A>,
): Promise<EventSubscription> {
  return options.config.NATS_URL ? subscribeJetStream(options, options.config.NATS_URL) : subscribeLocal(options);
}

function consumerName({ service, name }: { service: string; name: string }): string {
  return `${service}_${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** One filter subject covering all the events (NATS before 2.10 takes a single filter). */
export function filterSubject(prefix: string, events: readonly EventName[]): string {
  const subjects = events.map((e) => subjectFor(prefix, e).split('.'));
  if (subjects.length === 1) return subjects[0].join('.');
  const common: string[] = [];
  for (let i = 0; subjects.every((s) => i < s.length && s[i] === subjects[0][i]); i++) common.push(subjects[0][i]);
  const sameLength = subjects.every((s) => s.length === subjects[0].length);
  return [...common, sameLength && common.length === subjects[0].length - 1 ? '*' : '>'].join('.');
}

/** Redelivery backoff: 1 s, 2 s, 4 s … at most 30 s. */
function redeliveryDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Hands one event to the handler once, as its version allows: resolves once it is handled or
 * skipped; throws when it must be delivered again later (the handler failed, or `wait`).
 */
async function deliverOnce<A extends EventAcceptance>(
  options: SubscriptionOptions<A>,
  durable: string,
  envelope: AnyEventEnvelope,
): Promise<void> {
  const verdict = verdictOn(options.events, envelope);
  if (verdict === 'wait') throw new UnacceptedVersionError(durable, envelope);
  if (verdict === 'ignore') return;
  if (verdict === 'skip') {
    const { id: eventId, type, dataversion } = envelope;
    options.logger.warn(
      { eventId, type, dataversion, consumer: durable },
      'skipping an event in a version this consumer no longer reads',
    );
    return;
  }
  await handleOnce(options.db, durable, envelope as AcceptedEnvelope<A>, options.handle, options.afterBatch);
}

const DEFAULT_ACK_WAIT_MS = 30_000;

/** The most events one transaction handles; also how many a consumer takes from JetStream ahead. */
const MAX_EVENTS_PER_BATCH = 64;

/**
 * Hands several events to the handler in one transaction, in their order, each event id once
 * (one statement claims them all): the claims and the handler's changes commit together, so a
 * batch costs one commit, not one per event. Should any of them fail, that transaction is rolled
 * back and each is handed over on its own (`deliverOnce`), so only the failing one is delivered
 * again. Events this consumer does not handle now (other types, other versions) are settled as
 * `deliverOnce` settles them. Resolves to each event's outcome, in order.
 */
async function deliverBatch<A extends EventAcceptance>(
  options: SubscriptionOptions<A>,
  durable: string,
  envelopes: AnyEventEnvelope[],
): Promise<PromiseSettledResult<void>[]> {
  const handled = envelopes.filter((envelope) => verdictOn(options.events, envelope) === 'handle');
  if (handled.length > 1) {
    try {
      await handleAllOnce(options, durable, handled as AcceptedEnvelope<A>[]);
      const together = new Set(handled);
      return settleEach(envelopes, (envelope) =>
        together.has(envelope) ? Promise.resolve() : deliverOnce(options, durable, envelope),
      );
    } catch {
      // Told apart below: which one failed, and whether again.
    }
  }
  return settleEach(envelopes, (envelope) => deliverOnce(options, durable, envelope));
}

/** `deliver` for each envelope in turn (never two at once), and how each went. */
async function settleEach(
  envelopes: AnyEventEnvelope[],
  deliver: (envelope: AnyEventEnvelope) => Promise<void>,
): Promise<PromiseSettledResult<void>[]> {
  const outcomes: PromiseSettledResult<void>[] = [];
  for (const envelope of envelopes) {
    try {
      await deliver(envelope);
      outcomes.push({ status: 'fulfilled', value: undefined });
    } catch (reason) {
      outcomes.push({ status: 'rejected', reason });
    }
  }
  return outcomes;
}

/** `handleOnce` for several events in one transaction: all of them, in order, or none. */
async function handleAllOnce<A extends EventAcceptance>(
  { db, handle, afterBatch }: SubscriptionOptions<A>,
  consumer: string,
  envelopes: AcceptedEnvelope<A>[],
): Promise<void> {
  await db.transaction(async (trx) => {
    const claimed = await claimEvents(trx, consumer, envelopes);
    const handled: AcceptedEnvelope<A>[] = [];
    for (const envelope of envelopes) {
      // `delete`: a copy of the event later in the same batch finds its claim used.
      if (!claimed.delete(envelope.id)) continue;
      await handle(envelope, trx);
      handled.push(envelope);
    }
    if (handled.length > 0) await afterBatch?.(handled, trx);
  });
}

async function subscribeJetStream<A extends EventAcceptance>(
  options: SubscriptionOptions<A>,
  url: string,
): Promise<EventSubscription> {
  const { config, logger } = options;
  const durable = consumerName(options);
  const nc: NatsConnection = await connect({ servers: url, name: durable, maxReconnectAttempts: -1 });
  let messages: ConsumerMessages;
  try {
    await ensureEventStream(nc, config.EVENT_STREAM, config.EVENT_SUBJECT_PREFIX);
    const jsm = await nc.jetstreamManager();
    const consumerConfig: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: filterSubject(config.EVENT_SUBJECT_PREFIX, acceptedNames(options.events)),
      ack_wait: nanos(options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
      max_deliver: -1,
    };
    // Adding an existing durable with the same configuration is a no-op, so instances may race.
    await jsm.consumers.add(config.EVENT_STREAM, consumerConfig);
    const consumer = await nc.jetstream().consumers.get(config.EVENT_STREAM, durable);
    messages = await consumer.consume({ max_messages: MAX_EVENTS_PER_BATCH });
  } catch (err) {
    await nc.close();
    throw err;
  }

  const codec = JSONCodec<AnyEventEnvelope>();
  const decode = (message: JsMsg): AnyEventEnvelope | undefined => {
    try {
      return codec.decode(message.data);
    } catch (err) {
      // Unreadable forever: redelivering it would only block the consumer.
      logger.error({ err, subject: message.subject, consumer: durable }, 'dropping an event that is not JSON');
      message.term();
      return undefined;
    }
  };
  const settle = (message: JsMsg, envelope: AnyEventEnvelope, outcome: PromiseSettledResult<void>) => {
    if (outcome.status === 'fulfilled') {
      message.ack();
      return;
    }
    const delay = redeliveryDelayMs(message.info.redeliveryCount);
    logger.warn(
      { err: outcome.reason, eventId: envelope.id, type: envelope.type, consumer: durable, retryInMs: delay },
      'event handler failed; will retry',
    );
    message.nak(delay);
  };
  // Events that arrive while a batch is being handled are handled together in the next one.
  const batches = new GroupCommit<JsMsg, void>(async (batch) => {
    const decoded = batch.flatMap((message) => {
      const envelope = decode(message);
      return envelope ? [{ message, envelope }] : [];
    });
    const outcomes = await deliverBatch(
      options,
      durable,
      decoded.map((d) => d.envelope),
    );
    decoded.forEach(({ message, envelope }, i) => settle(message, envelope, outcomes[i]));
    return batch.map(() => ({ status: 'fulfilled', value: undefined }));
  }, MAX_EVENTS_PER_BATCH);

  // The filter subject may cover events it does not follow (NATS before 2.10 takes one; ticketing's
  // `ordering.order.*` brings every `created`): those are acknowledged from their subject, unread.
  const followed = new Set(acceptedNames(options.events).map((name) => subjectFor(config.EVENT_SUBJECT_PREFIX, name)));
  const loop = (async () => {
    for await (const message of messages) {
      if (!followed.has(message.subject)) {
        message.ack();
        continue;
      }
      const handled = batches.submit(message);
      if (batches.waiting >= MAX_EVENTS_PER_BATCH) await handled;
    }
    await batches.idle();
  })().catch((err) => logger.error({ err, consumer: durable }, 'event consumer stopped'));

  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        messages.stop();
        await loop;
        await nc.drain();
      })();
      return stopping;
    },
  };
}

/**
 * A durable subscriber of the in-process bus: each event is handled once (`handleOnce`), retried
 * with the same backoff as a JetStream redelivery until it is, and only then counts as delivered
 * (see LocalEventBus). Stopped, it refuses further events, which then wait in their outbox.
 */
async function subscribeLocal<A extends EventAcceptance>(options: SubscriptionOptions<A>): Promise<EventSubscription> {
  const { logger } = options;
  const durable = consumerName(options);
  const stopping = new AbortController();
  let inFlight: Promise<void> = Promise.resolve();

  const handle = async (envelope: AnyEventEnvelope) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await deliverOnce(options, durable, envelope);
        return;
      } catch (err) {
        if (stopping.signal.aborted) throw new SubscriberStoppedError(durable);
        const delay = redeliveryDelayMs(attempt);
        logger.warn(
          { err, eventId: envelope.id, type: envelope.type, consumer: durable, retryInMs: delay },
          'event handler failed; will retry',
        );
        await sleep(delay, undefined, { signal: stopping.signal }).catch(() => {
          throw new SubscriberStoppedError(durable);
        });
      }
    }
  };
  const subscription = localDomainEvents.subscribe({
    name: durable,
    events: acceptedNames(options.events),
    durable: true,
    deliver: (envelope) => {
      inFlight = handle(envelope);
      return inFlight;
    },
  });

  return {
    async stop() {
      stopping.abort();
      subscription.stop();
      await inFlight.catch(() => undefined);
    },
  };
}
