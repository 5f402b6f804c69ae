import { parseArgs } from 'node:util';
import { UsageError } from '../operations/usage-error';
import {
  connect,
  DeliverPolicy,
  Events,
  type Consumer,
  type ConsumerMessages,
  type JsMsg,
  type NatsConnection,
  type OrderedConsumerOptions,
} from 'nats';

/**
 * The operators' event feed (`npm run events`): follows the domain-event stream with an ordered
 * consumer — ephemeral and in memory, so following leaves nothing behind in JetStream — and
 * renders each event as one readable line or as its JSON.
 */

export type FeedStart = { from: 'new' } | { from: 'all' } | { from: 'time'; time: Date };

export interface FeedOptions {
  /** A NATS subject filter, with or without the subject prefix; undefined: every event. */
  subject?: string;
  start: FeedStart;
  json: boolean;
}

/** The command line was wrong: the CLI answers with exit code 2. */
export class FeedUsageError extends UsageError {}

export const FEED_USAGE = `Usage: npm run events -- [--subject <filter>] [--since <when>] [--json]

Follows TicketPro's domain events in JetStream, one line per event: the stream EVENT_STREAM
(subjects <EVENT_SUBJECT_PREFIX>.>) on NATS_URL (default nats://127.0.0.1:4222), read from
the environment or .env.

  --subject <filter>  only subjects matching this NATS wildcard; it is taken after the prefix
                      unless it starts with it: ordering.>  ticketpro.ordering.order.*  *.ticket.*
  --since <when>      start in the past: a duration (30s, 10m, 2h, 1d), an ISO time
                      (2026-11-24T04:00:00Z), or "all" for the whole stream; default: new events only
  --json              print each event's CloudEvents JSON instead, one per line
  -h, --help          show this help
`;

export function parseFeedArgs(argv: readonly string[], now: Date = new Date()): FeedOptions | 'help' {
  let values: { subject?: string; since?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        subject: { type: 'string' },
        since: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new FeedUsageError((err as Error).message);
  }
  if (values.help) return 'help';
  return {
    subject: values.subject === undefined ? undefined : checkSubjectFilter(values.subject),
    start: values.since === undefined ? { from: 'new' } : parseSince(values.since, now),
    json: values.json ?? false,
  };
}

const PLAIN_TOKEN = /^[^\s.*>]+$/;

function checkSubjectFilter(filter: string): string {
  const tokens = filter.split('.');
  const valid = tokens.every((t, i) => t === '*' || (t === '>' && i === tokens.length - 1) || PLAIN_TOKEN.test(t));
  if (!valid) {
    throw new FeedUsageError(
      `--subject ${JSON.stringify(filter)} is not a NATS subject filter (tokens joined by dots; * stands for one token, a final > for the rest)`,
    );
  }
  return filter;
}

const DURATION = /^(\d+)([smhd])$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseSince(value: string, now: Date): FeedStart {
  if (value === 'all') return { from: 'all' };
  const duration = DURATION.exec(value);
  if (duration) {
    const unit = duration[2] as keyof typeof UNIT_MS;
    return { from: 'time', time: new Date(now.getTime() - Number(duration[1]) * UNIT_MS[unit]) };
  }
  if (ISO_TIME.test(value) && !Number.isNaN(Date.parse(value))) return { from: 'time', time: new Date(value) };
  throw new FeedUsageError(
    `--since ${JSON.stringify(value)} is neither a duration (30s, 10m, 2h, 1d), an ISO time (2026-11-24T04:00:00Z) nor "all"`,
  );
}

/** The filter on the stream: `ordering.>` and `ticketpro.ordering.>` both mean the latter. */
export function streamFilter(subjectPrefix: string, filter: string | undefined): string {
  if (filter === undefined || filter === subjectPrefix) return `${subjectPrefix}.>`;
  return filter.startsWith(`${subjectPrefix}.`) ? filter : `${subjectPrefix}.${filter}`;
}

/** One stored message, as the formatters need it. */
export interface FeedMessage {
  subject: string;
  data: Uint8Array;
  /** When JetStream stored it; the time shown for messages that are not events. */
  storedAt: Date;
}

const SEPARATOR = '  ';
const decoder = new TextDecoder();

/**
 * `<time>  <subject>  <data as key=value>  id=<event id>`; the data's own `id` is shown under the
 * entity's name (`order=42`), so it cannot be mistaken for the event's id.
 */
export function formatEventLine({ subject, data, storedAt }: FeedMessage): string {
  const text = decoder.decode(data);
  const parsed = parseJson(text);
  if (isEnvelope(parsed)) {
    const tokens = subject.split('.');
    const entity = tokens[Math.max(0, tokens.length - 2)];
    const facts = Object.entries(parsed.data)
      .map(([key, value]) => `${key === 'id' ? entity : key}=${render(value)}`)
      .join(' ');
    return [render(parsed.time), subject, facts, `id=${render(parsed.id)}`].filter(Boolean).join(SEPARATOR);
  }
  return [storedAt.toISOString(), subject, parsed === undefined ? `raw=${quote(text)}` : render(parsed)].join(
    SEPARATOR,
  );
}

/** The message's JSON on one line; a message that is not JSON becomes a JSON string of its text. */
export function formatEventJson({ data }: FeedMessage): string {
  const text = decoder.decode(data);
  const parsed = parseJson(text);
  return escapeC1Controls(JSON.stringify(parsed === undefined ? text : parsed));
}

interface EnvelopeLike {
  id: unknown;
  time: unknown;
  data: Record<string, unknown>;
}

function isEnvelope(value: unknown): value is EnvelopeLike {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const { id, time, data } = value as Record<string, unknown>;
  return id !== undefined && time !== undefined && data !== null && typeof data === 'object' && !Array.isArray(data);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const BARE = /^[\p{L}\p{N}._:@+/-]+$/u;

function render(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(render).join(' ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, inner]) => `${key}=${render(inner)}`)
      .join(' ')}}`;
  }
  if (typeof value === 'string') return BARE.test(value) ? value : quote(value);
  return String(value);
}

// Event data carries text users typed (names, places): quoting keeps it on its line, and no
// control character in it may reach the operator's terminal as an escape sequence.
function quote(text: string): string {
  return escapeC1Controls(JSON.stringify(text));
}

/** JSON.stringify escapes C0 controls only; DEL and C1 (e.g. U+009B, a CSI) pass through. */
function escapeC1Controls(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface FeedSource {
  url: string;
  stream: string;
  subjectPrefix: string;
}

export interface EventFeed extends AsyncIterable<string> {
  /** The stream and filter followed, for a status line. */
  readonly description: string;
  /** Ends the iteration, deletes the consumer and closes the connection; safe to call twice. */
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connects and starts following; rejects with a one-line message when NATS does not answer or the
 * stream is missing. Once following, it rides out NATS restarts, telling `onNotice` about them.
 */
export async function openEventFeed(
  source: FeedSource,
  options: FeedOptions,
  onNotice: (text: string) => void = () => undefined,
): Promise<EventFeed> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: source.url,
      name: 'ticketpro-events',
      timeout: CONNECT_TIMEOUT_MS,
      maxReconnectAttempts: -1,
    });
  } catch (err) {
    throw new Error(`cannot reach NATS at ${source.url}: ${(err as Error).message}`);
  }

  const filter = streamFilter(source.subjectPrefix, options.subject);
  const format = options.json ? formatEventJson : formatEventLine;
  let consumer: Consumer;
  let messages: ConsumerMessages;
  try {
    consumer = await nc
      .jetstream()
      .consumers.get(source.stream, orderedConsumerOptions(filter, options.start))
      .catch((err: Error) => {
        throw new Error(
          err.message === 'stream not found'
            ? `no stream ${source.stream} on NATS at ${source.url}: the services create it when they first start (EVENT_STREAM names it)`
            : `cannot read stream ${source.stream} on NATS at ${source.url} (is JetStream enabled?): ${err.message}`,
        );
      });
    messages = await consumer.consume();
  } catch (err) {
    await nc.close();
    throw err;
  }
  void reportConnectionChanges(nc, source.url, onNotice);

  let closing: Promise<void> | undefined;
  return {
    description: `${filter} in ${source.stream}, ${describeStart(options.start)}`,
    async *[Symbol.asyncIterator]() {
      for await (const message of messages) yield format(feedMessage(message));
    },
    close() {
      closing ??= (async () => {
        messages.stop();
        await consumer.delete().catch(() => false);
        await nc.close();
      })();
      return closing;
    },
  };
}

function orderedConsumerOptions(filter: string, start: FeedStart): Partial<OrderedConsumerOptions> {
  const common = { name_prefix: 'events_feed_', filterSubjects: filter };
  switch (start.from) {
    case 'new':
      return { ...common, deliver_policy: DeliverPolicy.New };
    case 'all':
      // The ordered consumer's own default, from sequence 1. (nats.js sends DeliverPolicy.All
      // with a start sequence, which the server refuses.)
      return common;
    case 'time':
      return { ...common, opt_start_time: start.time.toISOString() };
  }
}

function describeStart(start: FeedStart): string {
  switch (start.from) {
    case 'new':
      return 'new events only';
    case 'all':
      return 'from the first event';
    case 'time':
      return `since ${start.time.toISOString()}`;
  }
}

function feedMessage(message: JsMsg): FeedMessage {
  return { subject: message.subject, data: message.data, storedAt: new Date(message.info.timestampNanos / 1e6) };
}

async function reportConnectionChanges(
  nc: NatsConnection,
  url: string,
  onNotice: (text: string) => void,
): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === Events.Disconnect) onNotice(`lost NATS at ${url}; reconnecting`);
    if (status.type === Events.Reconnect) onNotice(`reconnected to NATS at ${url}`);
  }
}
