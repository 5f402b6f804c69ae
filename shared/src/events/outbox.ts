import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ValidateFunction } from 'ajv';
import type { ServiceName } from '../config';
import { prepared } from '../prepared-statements';
import { queryRows, type NamedStatement } from '../db';
import type { Logger } from '../logger';
import { createAjv, formatAjvErrors } from '../validation';
import {
  EVENT_CATALOGUE,
  eventType,
  type AnyEventEnvelope,
  type EventData,
  type EventEnvelope,
  type EventName,
} from './catalogue';
import type { AnyEventDefinition } from './definition';
import type { EventPublisher } from './publishers';

export const OUTBOX_TABLE = 'outbox';

/**
 * The poll's question, straight through the driver (`queryRows`): asked every second by every
 * instance at rest, through knex (its runner, pool acquire, query and response processing) it
 * allocated about 8 KB more each time, a fifth of an idle service's garbage (docs/PERFORMANCE.md).
 */
const ANY_WAITING: NamedStatement = {
  name: 'outbox_any_waiting',
  text: `SELECT EXISTS (SELECT 1 FROM ${OUTBOX_TABLE} WHERE published_at IS NULL) AS waiting`,
};

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

/** Checks a payload against the latest version of its event, the one producers record. */
function validatorFor(name: EventName): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    const definition: AnyEventDefinition = EVENT_CATALOGUE[name];
    validate = ajv.compile(definition.versions[definition.latest]);
    validators.set(name, validate);
  }
  return validate;
}

/** One row of the outbox. */
export interface OutboxEntry<N extends EventName = EventName> {
  id: string;
  name: N;
  envelope: EventEnvelope<N>;
}

/**
 * A domain event as its outbox row, in its latest version and checked against it. Its source is
 * the service that owns it: the first part of its name.
 */
export function outboxEntry<N extends EventName>(name: N, data: EventData<N>): OutboxEntry<N> {
  const validate = validatorFor(name);
  if (!validate(data)) {
    const problems = formatAjvErrors(validate.errors ?? []).map((e) => `${e.field} ${e.message}`);
    throw new Error(`Event ${name} does not match its schema: ${problems.join('; ')}`);
  }
  const envelope = {
    id: randomUUID(),
    type: eventType(name),
    source: name.slice(0, name.indexOf('.')),
    time: new Date().toISOString(),
    specversion: '1.0',
    dataversion: EVENT_CATALOGUE[name].latest,
    data,
  } as EventEnvelope<N>;
  return { id: envelope.id, name, envelope };
}

/** Where a service's database keeps its relay, so that whoever records an event can wake it. */
const RELAY = 'ticketproOutboxRelay';

/** Lets events recorded through `db` (and its transactions) wake `relay` once they commit. */
export function attachRelay(db: Knex, relay: OutboxRelay): void {
  db.userParams = { ...db.userParams, [RELAY]: relay };
}

/**
 * Schedules the relay once what `db` wrote is committed: at once for a statement outside a
 * transaction, on the outermost transaction's commit otherwise (a savepoint's release commits
 * nothing), never after a rollback. Without an attached relay (a bare database in a test),
 * the relay's poll finds the events.
 */
function relayOnCommit(db: Knex): void {
  let outermost = db as Knex.Transaction;
  while (outermost.parentTransaction) outermost = outermost.parentTransaction;
  const relay: OutboxRelay | undefined = outermost.userParams?.[RELAY];
  if (!relay) return;
  if (!outermost.isTransaction) relay.notify();
  else
    outermost.executionPromise.then(
      () => relay.notify(),
      () => undefined,
    );
}

/**
 * How a service records its own domain events (and no other service's: the names are checked
 * at compile time against the events its contract owns). Each is written into the outbox with
 * the change it reports, so it exists if and only if that change was committed, and the relay
 * publishes it right after the commit.
 */
export interface ServiceEvents<N extends EventName> {
  /** Writes the event in the caller's transaction. */
  record<E extends N>(trx: Knex.Transaction, name: E, data: EventData<E>): Promise<EventEnvelope<E>>;
  /** The event as its outbox row, for `recordInStatement`. */
  entry<E extends N>(name: E, data: EventData<E>): OutboxEntry<E>;
  /**
   * Runs one statement that writes `entries` together with the change they report (it gets
   * their INSERT to embed, e.g. as a data-modifying CTE), so one round trip commits both.
   */
  recordInStatement<T>(
    db: Knex,
    entries: OutboxEntry<N>[],
    statement: (insertEntries: Knex.QueryBuilder) => Promise<T>,
  ): Promise<T>;
}

export type OwnEventName<S extends ServiceName> = Extract<EventName, `${S}.${string}`>;

export function serviceEvents<S extends ServiceName>(service: S): ServiceEvents<OwnEventName<S>> {
  const own = (name: EventName) => {
    if (!name.startsWith(`${service}.`)) throw new Error(`${service} cannot record ${name}, another service's event`);
  };
  return {
    async record(trx, name, data) {
      own(name);
      const entry = outboxEntry(name, data);
      await trx(OUTBOX_TABLE).insert(entry);
      relayOnCommit(trx);
      return entry.envelope;
    },
    entry(name, data) {
      own(name);
      return outboxEntry(name, data);
    },
    async recordInStatement(db, entries, statement) {
      const result = await statement(db(OUTBOX_TABLE).insert(entries));
      relayOnCommit(db);
      return result;
    },
  };
}

export interface OutboxRelayOptions {
  pollIntervalMs?: number;
  batchSize?: number;
  /**
   * This relay is its outbox's only one, and every row is recorded through the database it is
   * attached to (`attachRelay`): the embedded mode, one process and its in-process bus. Then a
   * row waits unannounced only from before `start()` (which drains at once) or after a drain
   * failed, so the poll asks the database only until a drain succeeds again.
   */
  soleRelay?: boolean;
}

/**
 * How long `notify()` lets commits gather before it relays them: under load, one drain (a
 * transaction of three round trips) then carries the events of many requests instead of one.
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
  private polling?: Promise<void>;
  private running?: Promise<number>;
  private queued?: Promise<number>;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly soleRelay: boolean;
  /** Whether rows may wait that no `notify()` will announce: until the first drain succeeds, and after a failed one. */
  private unannounced = true;

  constructor(
    private readonly knex: Knex,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 100;
    this.soleRelay = options.soleRelay ?? false;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.polling ??= this.poll().finally(() => {
        this.polling = undefined;
      });
    }, this.pollIntervalMs);
    this.timer.unref();
    this.notify();
  }

  /**
   * The poll is for what no `notify()` announced: rows an instance committed and then died before
   * relaying, and drains that failed. Those are rare, so it first asks whether any row waits (one
   * statement on the unpublished rows' partial index, no transaction) and drains only if one
   * does: an idle instance's poll then costs one round trip, not a drain's three and its
   * transaction. Its second (`pollIntervalMs`) is how late such a row can go out. A sole relay
   * knows of every row but those a failed drain left, so it asks only while there may be some.
   */
  private async poll(): Promise<void> {
    if (this.running || this.notifyTimer || (this.soleRelay && !this.unannounced)) return;
    try {
      const [answer] = await queryRows<{ waiting: boolean }>(this.knex, ANY_WAITING, []);
      if (answer?.waiting) this.notify();
    } catch (err) {
      this.logger.warn({ err }, 'outbox poll failed; will retry');
    }
  }

  /** Relay soon rather than at the next poll (a commit that recorded events calls it). */
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
    await this.polling;
    clearTimeout(this.notifyTimer);
    this.notifyTimer = undefined;
    await this.flush();
  }

  private async drain(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const count = this.publisher.waitsForConsumers
          ? await this.relayUnlocked()
          : await this.knex.transaction((trx) => this.relayLocked(trx));
        total += count;
        if (count < this.batchSize) break;
      }
    } catch (err) {
      this.unannounced = true;
      throw err;
    }
    // Every row committed before this drain began is published, those of a failed drain included.
    this.unannounced = false;
    return total;
  }

  /**
   * Marks the next batch of waiting rows published and publishes them, in one transaction that
   * commits only once the broker has them all: the marking statement is also the claim (its row
   * locks keep other relays off the rows), so a batch costs three round trips (BEGIN, this,
   * COMMIT), not four. A failed publish, or a crash before the commit, rolls the marks back and
   * the rows are published again (the broker drops the copies by message id).
   */
  private async relayLocked(trx: Knex.Transaction): Promise<number> {
    const { rows } = await prepared(
      trx.raw<{ rows: { seq: number; envelope: AnyEventEnvelope }[] }>(
        `UPDATE ?? SET published_at = now()
         WHERE seq IN (SELECT seq FROM ?? WHERE published_at IS NULL ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED)
         RETURNING seq, envelope`,
        [OUTBOX_TABLE, OUTBOX_TABLE, this.batchSize],
      ),
    );
    // RETURNING keeps no order; the stream must have the events in the outbox's.
    await this.publishInOrder(rows.sort((a, b) => a.seq - b.seq));
    return rows.length;
  }

  /**
   * The in-process bus: publishing waits for the consumers, so the rows are read, published and
   * only then marked, with no transaction open meanwhile (see the class comment).
   */
  private async relayUnlocked(): Promise<number> {
    const rows: { seq: number; envelope: AnyEventEnvelope }[] = await this.knex(OUTBOX_TABLE)
      .select('seq', 'envelope')
      .whereNull('published_at')
      .orderBy('seq')
      .limit(this.batchSize);
    await this.publishInOrder(rows);
    if (rows.length > 0) {
      await this.knex(OUTBOX_TABLE)
        .whereIn(
          'seq',
          rows.map((r) => r.seq),
        )
        .update({ published_at: this.knex.fn.now() });
    }
    return rows.length;
  }

  /**
   * Sent together, they share the connection's writes and wait for their acks at once; one
   * connection keeps their order in the stream (the in-process bus keeps it per consumer).
   */
  private async publishInOrder(rows: { envelope: AnyEventEnvelope }[]): Promise<void> {
    await Promise.all(rows.map((row) => this.publisher.publish(row.envelope)));
  }
}
