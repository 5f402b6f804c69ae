import { eventType, type AnyEventEnvelope, type EventName } from './catalogue';

/** One subscriber of the in-process bus. */
export interface LocalSubscriber {
  /** Unique in the process; a new subscription under the same name replaces the old one. */
  name: string;
  events: readonly EventName[];
  /**
   * Handles one event; resolves once it is handled for good. Called for one subscriber in
   * publish order, one event at a time. A rejection leaves the event in its outbox, and the
   * relay hands it to every subscriber again later: handle your own retries, and expect a repeat.
   */
  deliver(envelope: AnyEventEnvelope): Promise<void>;
  /**
   * Durable (like a JetStream durable consumer): once stopped, it still counts, and the events
   * published for it stay in their outbox until it is back (the next start, in practice).
   * Otherwise it simply stops receiving: what it missed is gone, as for a NATS subscription.
   */
  durable: boolean;
}

export interface LocalSubscription {
  /** Takes no more events; the one being delivered finishes (await it in `deliver`'s caller). */
  stop(): void;
}

/** Why an event stays in its outbox: a durable subscriber of it is not running. */
export class SubscriberStoppedError extends Error {
  constructor(name: string) {
    super(`event subscriber ${name} is stopped; the event stays in its outbox until it is back`);
  }
}

interface Entry {
  subscriber: LocalSubscriber;
  types: ReadonlySet<string>;
  stopped: boolean;
  /** Keeps this subscriber's deliveries in publish order. */
  tail: Promise<unknown>;
}

/**
 * Embedded mode's stand-in for JetStream: every service of the process publishes (through its
 * outbox relay) and subscribes here. An event counts as published once every subscriber of its
 * type has handled it — `publish` resolves only then — so the relay marks its outbox row only
 * then, and an event a crash interrupted is delivered again after the restart.
 *
 * While a broker of the process is starting, `publish` waits: services subscribe in their
 * `started` handlers, in parallel, and an event relayed before its consumer subscribed would
 * otherwise count as published to nobody.
 */
export class LocalEventBus {
  private readonly entries = new Map<string, Entry>();
  private starting = 0;
  private started: Promise<void> = Promise.resolve();
  private finishStarting: () => void = () => undefined;

  subscribe(subscriber: LocalSubscriber): LocalSubscription {
    const entry: Entry = {
      subscriber,
      types: new Set(subscriber.events.map(eventType)),
      stopped: false,
      tail: Promise.resolve(),
    };
    this.entries.set(subscriber.name, entry);
    return {
      stop: () => {
        entry.stopped = true;
        if (!subscriber.durable && this.entries.get(subscriber.name) === entry) this.entries.delete(subscriber.name);
      },
    };
  }

  async publish(envelope: AnyEventEnvelope): Promise<void> {
    await this.started;
    const deliveries = [...this.entries.values()]
      .filter((entry) => entry.types.has(envelope.type))
      .map((entry) => this.deliverTo(entry, envelope));
    await Promise.all(deliveries);
  }

  /** A broker of this process begins starting: hold publishing until it has (see the class comment). */
  holdWhileStarting(): void {
    if (this.starting++ === 0) this.started = new Promise((resolve) => (this.finishStarting = resolve));
  }

  /** That broker has started (or given up): its services have subscribed. */
  releaseStarted(): void {
    if (--this.starting === 0) this.finishStarting();
  }

  private deliverTo(entry: Entry, envelope: AnyEventEnvelope): Promise<void> {
    const delivered = entry.tail.then(() => {
      if (entry.stopped) throw new SubscriberStoppedError(entry.subscriber.name);
      return entry.subscriber.deliver(envelope);
    });
    entry.tail = delivered.catch(() => undefined);
    return delivered;
  }
}

/** The bus of this process. */
export const localDomainEvents = new LocalEventBus();
