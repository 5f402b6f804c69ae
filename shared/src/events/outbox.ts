import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ValidateFunction } from 'ajv';
import type { Logger } from '../logger';
import { createAjv, formatAjvErrors } from '../validation';
import { EVENT_CATALOGUE, type EventData, type EventEnvelope, type EventName } from './catalogue';
import type { EventPublisher } from './publishers';

export const OUTBOX_TABLE = 'outbox';

/** For each service's first migration: the table its events wait in until relayed. */
export async function createOutboxTable(knex: Knex): Promise<void> {
  await knex.schema.createTable(OUTBOX_TABLE, (t) => {
    t.bigIncrements('seq').primary();
    t.uuid('id').notNullable().unique();
    t.text('name').notNullable();
    t.jsonb('envelope').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('published_at', { useTz: true });
  });
  await knex.raw(`CREATE INDEX outbox_unpublished ON ${OUTBOX_TABLE} (seq) WHERE published_at IS NULL`);
}

const ajv = createAjv({ coerce: false });
const validators = new Map<EventName, ValidateFunction>();

function validatorFor(name: EventName): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    validate = ajv.compile(EVENT_CATALOGUE[name].data);
    validators.set(name, validate);
  }
  return validate;
}

/** One row of the outbox, as `recordEvent` inserts it. */
export interface OutboxEntry<N extends EventName = EventName> {
  id: string;
  name: N;
  envelope: EventEnvelope<N>;
}

/**
 * A domain event as its outbox row, checked against its schema, for a statement that inserts it
 * together with the change it reports (one round trip instead of a transaction of several).
 */
export function outboxEntry<N extends EventName>(source: string, name: N, data: EventData<N>): OutboxEntry<N> {
  const validate = validatorFor(name);
  if (!validate(data)) {
    const problems = formatAjvErrors(validate.errors ?? []).map((e) => `${e.field} ${e.message}`);
    throw new Error(`Event ${name} does not match its schema: ${problems.join('; ')}`);
  }
  const envelope: EventEnvelope<N> = {
    id: randomUUID(),
    type: `ticketpro.${name}`,
    source,
    time: new Date().toISOString(),
    specversion: '1.0',
    dataversion: EVENT_CATALOGUE[name].version,
    data,
  };
  return { id: envelope.id, name, envelope };
}

/**
 * Writes a domain event into the outbox inside the caller's transaction, so the event exists
 * if and only if the change it reports was committed.
 */
export async function recordEvent<N extends EventName>(
  trx: Knex.Transaction,
  source: string,
  name: N,
  data: EventData<N>,
): Promise<EventEnvelope<N>> {
  const entry = outboxEntry(source, name, data);
  await trx(OUTBOX_TABLE).insert(entry);
  return entry.envelope;
}

export interface OutboxRelayOptions {
  pollIntervalMs?: number;
  batchSize?: number;
}

/**
 * How long `notify()` lets commits gather before it relays them: under load, one drain (a
 * transaction of four round trips) then carries the events of many requests instead of one.
 */
const NOTIFY_DELAY_MS = 10;

/**
 * Moves events from the outbox to the publisher, and marks them published once it has them.
 * To JetStream, several instances may relay one outbox: `FOR UPDATE SKIP LOCKED` hands each row
 * to one of them, and the event id as message id lets the broker drop the copy published again
 * after a crash between publish and mark. To the in-process bus (embedded mode: one relay per
 * outbox, one drain at a time), publishing waits for the consumers to handle the events, so no
 * row lock or transaction is held meanwhile: a consumer may need this very database, whose only
 * connection that transaction would hold.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private notifyTimer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private queued?: Promise<number>;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly knex: Knex,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 100;
  }

  start(): void {
    this.timer = setInterval(() => this.notify(), this.pollIntervalMs);
    this.timer.unref();
    this.notify();
  }

  /** Relay soon rather than at the next poll (called after a commit that recorded events). */
  notify(): void {
    this.notifyTimer ??= setTimeout(() => {
      this.notifyTimer = undefined;
      void this.flush().catch((err) => this.logger.warn({ err }, 'outbox relay failed; will retry'));
    }, NOTIFY_DELAY_MS);
  }

  /**
   * Publishes what was committed before the call (rows another relay holds are left to it);
   * resolves to how many events the drain that did it published.
   */
  flush(): Promise<number> {
    if (!this.running) {
      this.running = this.drain().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    // The drain under way may have read the outbox before the caller's events were committed, so
    // the caller waits for one more drain after it, shared with everyone who asks meanwhile.
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.flush();
      });
    return this.queued;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    clearTimeout(this.notifyTimer);
    this.notifyTimer = undefined;
    await this.flush();
  }

  private async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = this.publisher.waitsForConsumers
        ? await this.relayBatch(this.knex)
        : await this.knex.transaction((trx) => this.relayBatch(trx, { locked: true }));
      total += count;
      if (count < this.batchSize) return total;
    }
  }

  /** Publishes the next batch of waiting rows, then marks them; resolves to how many there were. */
  private async relayBatch(db: Knex, { locked = false } = {}): Promise<number> {
    const waiting = db(OUTBOX_TABLE).select('seq', 'envelope').whereNull('published_at').orderBy('seq').limit(this.batchSize);
    const rows: { seq: number; envelope: EventEnvelope }[] = locked ? await waiting.forUpdate().skipLocked() : await waiting;
    // Sent together, they share the connection's writes and wait for their acks at once; one
    // connection keeps their order in the stream (the in-process bus keeps it per consumer).
    await Promise.all(rows.map((row) => this.publisher.publish(row.envelope)));
    if (rows.length > 0) {
      await db(OUTBOX_TABLE)
        .whereIn(
          'seq',
          rows.map((r) => r.seq),
        )
        .update({ published_at: db.fn.now() });
    }
    return rows.length;
  }
}
