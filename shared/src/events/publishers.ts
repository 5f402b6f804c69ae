import {
  connect,
  JSONCodec,
  RetentionPolicy,
  StorageType,
  nanos,
  type NatsConnection,
  type JetStreamClient,
} from 'nats';
import { eventNameOf, subjectFor, type AnyEventEnvelope } from './catalogue';
import type { LocalEventBus } from './local-bus';

export interface EventPublisher {
  publish(envelope: AnyEventEnvelope): Promise<void>;
  close(): Promise<void>;
  /**
   * Whether `publish` waits for the event's consumers to handle it, in this process: then the
   * relay must not publish inside a transaction (a consumer may need the database it holds).
   */
  readonly waitsForConsumers: boolean;
}

export interface JetStreamOptions {
  url: string;
  stream: string;
  subjectPrefix: string;
  connectionName: string;
}

const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

/** Makes sure the stream that keeps every domain event exists; safe when several services race. */
export async function ensureEventStream(nc: NatsConnection, stream: string, subjectPrefix: string): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const config = {
    name: stream,
    subjects: [`${subjectPrefix}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
  try {
    await jsm.streams.info(stream);
  } catch {
    try {
      await jsm.streams.add(config);
    } catch (err) {
      // Another service created it between our look and our add.
      await jsm.streams.info(stream).catch(() => {
        throw err;
      });
    }
  }
}

/**
 * Publishes to JetStream with the event id as `Nats-Msg-Id`, so a repeat within the duplicate
 * window is stored once, and waits for the stream's acknowledgement.
 */
export class JetStreamPublisher implements EventPublisher {
  readonly waitsForConsumers = false;
  private readonly codec = JSONCodec<AnyEventEnvelope>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly subjectPrefix: string,
  ) {}

  static async connect(options: JetStreamOptions): Promise<JetStreamPublisher> {
    const nc = await connect({ servers: options.url, name: options.connectionName, maxReconnectAttempts: -1 });
    try {
      await ensureEventStream(nc, options.stream, options.subjectPrefix);
    } catch (err) {
      // A connection that reconnects forever would keep the process from exiting.
      await nc.close();
      throw err;
    }
    return new JetStreamPublisher(nc, nc.jetstream(), options.subjectPrefix);
  }

  async publish(envelope: AnyEventEnvelope): Promise<void> {
    await this.js.publish(subjectFor(this.subjectPrefix, eventNameOf(envelope.type)), this.codec.encode(envelope), {
      msgID: envelope.id,
    });
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}

/**
 * Embedded mode: no NATS, so events go to the subscribers in this process; `publish` resolves
 * once every one of them has handled the event (see LocalEventBus).
 */
export class LocalPublisher implements EventPublisher {
  readonly waitsForConsumers = true;

  constructor(private readonly bus: LocalEventBus) {}

  publish(envelope: AnyEventEnvelope): Promise<void> {
    return this.bus.publish(envelope);
  }

  async close(): Promise<void> {}
}
