import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, JSONCodec, type NatsConnection } from 'nats';
import { decimalText, JetStreamPublisher, subjectFor, type EventEnvelope, type EventName } from '@ticketpro/shared';
import { assertNatsReachable, testNatsUrl, uniqueName } from '@ticketpro/shared/testing';
import {
  FeedUsageError,
  formatEventJson,
  formatEventLine,
  parseFeedArgs,
  streamFilter,
  type FeedMessage,
} from '../src/events/feed';
import { freePort, startEntry, type RunningProcess } from '@ticketpro/tests/support/processes';

jest.setTimeout(60_000);

const codec = JSONCodec();
const encoder = new TextEncoder();
const storedAt = new Date('2026-11-24T04:01:03.000Z');

function orderPaid(id: number): EventEnvelope<'ordering.order.paid'> {
  return {
    id: randomUUID(),
    type: 'ticketpro.ordering.order.paid',
    source: 'ordering',
    time: '2026-11-24T04:01:02.345Z',
    specversion: '1.0',
    dataversion: 2,
    data: {
      id,
      user_id: 7,
      event_id: 3,
      total_price: decimalText('59.97'),
      currency: 'ZWG',
      payment_status: 'completed',
      payment_method: 'ecocash',
      expires_at: null,
      items: [{ ticket_type_id: 5, quantity: 3, unit_price: decimalText('19.99') }],
    },
  };
}

function eventCreated(id: number, eventName: string): EventEnvelope<'catalog.event.created'> {
  return {
    id: randomUUID(),
    type: 'ticketpro.catalog.event.created',
    source: 'catalog',
    time: new Date().toISOString(),
    specversion: '1.0',
    dataversion: 2,
    data: {
      id,
      event_name: eventName,
      organizer_id: 2,
      location: 'Harare',
      date: '2026-12-01T18:00:00.000Z',
      capacity: null,
    },
  };
}

function userRegistered(id: number): EventEnvelope<'identity.user.registered'> {
  return {
    id: randomUUID(),
    type: 'ticketpro.identity.user.registered',
    source: 'identity',
    time: new Date().toISOString(),
    specversion: '1.0',
    dataversion: 2,
    data: { id, firstname: 'Tendai', surname: 'Moyo', role: 'user', active: true, email: 'tendai@example.test' },
  };
}

function nameOf(envelope: EventEnvelope): EventName {
  return envelope.type.slice('ticketpro.'.length) as EventName;
}

function asMessage(subject: string, payload: unknown): FeedMessage {
  return { subject, data: typeof payload === 'string' ? encoder.encode(payload) : codec.encode(payload), storedAt };
}

describe('parseFeedArgs', () => {
  const now = new Date('2026-11-24T12:00:00.000Z');

  it('follows every new event as readable lines by default', () => {
    expect(parseFeedArgs([], now)).toEqual({ subject: undefined, start: { from: 'new' }, json: false });
  });

  it('takes a subject filter, a start and --json', () => {
    expect(parseFeedArgs(['--subject', 'ordering.>', '--since', 'all', '--json'], now)).toEqual({
      subject: 'ordering.>',
      start: { from: 'all' },
      json: true,
    });
  });

  it.each([
    ['30s', '2026-11-24T11:59:30.000Z'],
    ['10m', '2026-11-24T11:50:00.000Z'],
    ['2h', '2026-11-24T10:00:00.000Z'],
    ['1d', '2026-11-23T12:00:00.000Z'],
    ['2026-11-24T04:00:00Z', '2026-11-24T04:00:00.000Z'],
    ['2026-11-24T06:00:00+02:00', '2026-11-24T04:00:00.000Z'],
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
  ])('reads --since %s as a start at %s', (since, time) => {
    expect(parseFeedArgs(['--since', since], now)).toMatchObject({ start: { from: 'time', time: new Date(time) } });
  });

  it('answers --help and -h with help', () => {
    expect(parseFeedArgs(['--help'], now)).toBe('help');
    expect(parseFeedArgs(['-h'], now)).toBe('help');
  });

  it.each([
    [['--bogus']],
    [['--since']],
    [['--since', 'yesterday']],
    [['--since', '10 minutes']],
    [['--since', '-5m']],
    [['--since', '2026-13-01']],
    [['--subject', 'ordering..paid']],
    [['--subject', 'ordering.>.paid']],
    [['--subject', 'order paid']],
    [['--subject', 'ordering.pa*']],
    [['ordering.>']],
  ])('refuses %j as a usage error', (argv) => {
    expect(() => parseFeedArgs(argv, now)).toThrow(FeedUsageError);
  });
});

describe('streamFilter', () => {
  it('puts a relative filter under the prefix and keeps an absolute one', () => {
    expect(streamFilter('ticketpro', 'ordering.>')).toBe('ticketpro.ordering.>');
    expect(streamFilter('ticketpro', '*.ticket.*')).toBe('ticketpro.*.ticket.*');
    expect(streamFilter('ticketpro', 'ticketpro.ordering.order.paid')).toBe('ticketpro.ordering.order.paid');
  });

  it('follows every event without a filter, or with the bare prefix', () => {
    expect(streamFilter('ticketpro', undefined)).toBe('ticketpro.>');
    expect(streamFilter('ticketpro', 'ticketpro')).toBe('ticketpro.>');
  });
});

describe('formatEventLine', () => {
  it("shows the event's time, subject, data as key=value with its id under the entity's name, and the event id", () => {
    const envelope = orderPaid(42);
    expect(formatEventLine(asMessage('ticketpro.ordering.order.paid', envelope))).toBe(
      '2026-11-24T04:01:02.345Z  ticketpro.ordering.order.paid  order=42 user_id=7 event_id=3 total_price=59.97 ' +
        `currency=ZWG payment_status=completed payment_method=ecocash expires_at=null items=[{ticket_type_id=5 quantity=3 unit_price=19.99}]  id=${envelope.id}`,
    );
  });

  it('quotes text with spaces, and escapes control characters so none reaches the terminal', () => {
    const envelope = eventCreated(3, 'Jazz \u001b[2J Night\u009b31m\n');
    const line = formatEventLine(asMessage('ticketpro.catalog.event.created', envelope));
    expect(line).toContain('event=3 event_name="Jazz \\u001b[2J Night\\u009b31m\\n" organizer_id=2');
    // eslint-disable-next-line no-control-regex -- the assertion is that no control character is left
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('shows a message that is not an event with the time it was stored', () => {
    expect(formatEventLine(asMessage('ticketpro.misc', { note: 'hello world' }))).toBe(
      '2026-11-24T04:01:03.000Z  ticketpro.misc  {note="hello world"}',
    );
    expect(formatEventLine(asMessage('ticketpro.misc', 'not json'))).toBe(
      '2026-11-24T04:01:03.000Z  ticketpro.misc  raw="not json"',
    );
  });
});

describe('formatEventJson', () => {
  it('gives the CloudEvents JSON on one line', () => {
    const envelope = eventCreated(4, 'Two\nlines \u009b');
    const line = formatEventJson(asMessage('ticketpro.catalog.event.created', envelope));
    // eslint-disable-next-line no-control-regex -- the assertion is that no control character is left
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(JSON.parse(line)).toEqual(envelope);
  });

  it('turns a message that is not JSON into a JSON string', () => {
    expect(JSON.parse(formatEventJson(asMessage('ticketpro.misc', 'not json')))).toBe('not json');
  });
});

/** The CLI as operators run it (`npm run events` is `tsx shared/bin/events.ts`), against real NATS. */
describe('npm run events', () => {
  const stream = uniqueName('EVENTS_FEED').toUpperCase();
  const prefix = uniqueName('feed');
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'ticketpro-events-feed-'));
  const started: RunningProcess[] = [];
  const history = [userRegistered(1), orderPaid(41), userRegistered(2), orderPaid(42)];
  let publisher: JetStreamPublisher;
  let nc: NatsConnection;

  interface Feed {
    process: RunningProcess;
    stdoutLines(): string[];
    stderr(): string;
    exitCode: Promise<number | null>;
  }

  function runFeed(args: string[], env: Record<string, string> = {}): Feed {
    const proc = startEntry('events', 'shared/bin/events.ts', {
      env: { NATS_URL: testNatsUrl(), EVENT_STREAM: stream, EVENT_SUBJECT_PREFIX: prefix, ...env },
      cwd,
      args,
    });
    started.push(proc);
    let stdout = '';
    let stderr = '';
    proc.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = once(proc.child, 'exit').then(([code]) => code as number | null);
    return { process: proc, stdoutLines: () => stdout.split('\n').filter(Boolean), stderr: () => stderr, exitCode };
  }

  /** A guard against hanging, not a timing assertion: the machine is shared and may be slow. */
  async function until(feed: Feed, done: () => boolean, what: string): Promise<void> {
    for (const deadline = Date.now() + 45_000; !done(); await delay(50)) {
      if (feed.process.child.exitCode !== null)
        throw new Error(`events exited while waiting for ${what}:\n${feed.process.output()}`);
      if (Date.now() > deadline) throw new Error(`no ${what}:\n${feed.process.output()}`);
    }
  }

  const untilLines = (feed: Feed, count: number) =>
    until(feed, () => feed.stdoutLines().length >= count, `${count} lines`);
  const untilFollowing = (feed: Feed) => until(feed, () => feed.stderr().includes('following'), 'status line');

  const lineOf = (envelope: EventEnvelope) =>
    formatEventLine(asMessage(subjectFor(prefix, nameOf(envelope)), envelope));

  async function consumersOnStream(): Promise<number> {
    return (await (await nc.jetstreamManager()).streams.info(stream)).state.consumer_count;
  }

  beforeAll(async () => {
    await assertNatsReachable();
    nc = await connect({ servers: testNatsUrl() });
    publisher = await JetStreamPublisher.connect({
      url: testNatsUrl(),
      stream,
      subjectPrefix: prefix,
      connectionName: 'events-feed-test',
    });
    for (const envelope of history) await publisher.publish(envelope);
  });

  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop('SIGKILL')));
    await publisher?.close();
    await (await nc?.jetstreamManager())?.streams.delete(stream).catch(() => undefined);
    await nc?.drain();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('prints the stored events with --since all, one line each, and leaves no consumer behind on SIGTERM', async () => {
    const feed = runFeed(['--since', 'all']);
    await untilLines(feed, history.length);
    expect(feed.stdoutLines()).toEqual(history.map(lineOf));
    expect(feed.stderr()).toContain(`following ${prefix}.> in ${stream}`);
    expect(await consumersOnStream()).toBe(1);

    expect(await feed.process.stop('SIGTERM')).toBe(0);
    expect(await consumersOnStream()).toBe(0);
  });

  it('prints only events published after it started without --since, and exits 0 on SIGINT', async () => {
    const feed = runFeed([]);
    await untilFollowing(feed);
    const fresh = eventCreated(9, 'Fresh');
    await publisher.publish(fresh);
    await untilLines(feed, 1);
    expect(feed.stdoutLines()).toEqual([lineOf(fresh)]);
    expect(await feed.process.stop('SIGINT')).toBe(0);
  });

  it('starts at an ISO time with --since, and a duration reaches back that far', async () => {
    await delay(20); // so that everything stored so far is strictly before `since`
    const since = new Date().toISOString();
    const later = eventCreated(10, 'Later');
    await publisher.publish(later);
    const all = await (await nc.jetstreamManager()).streams.info(stream);

    const fromIso = runFeed(['--since', since]);
    await untilLines(fromIso, 1);
    expect(fromIso.stdoutLines()).toEqual([lineOf(later)]);

    const fromDuration = runFeed(['--since', '1h']);
    await untilLines(fromDuration, all.state.messages);
    expect(fromDuration.stdoutLines()).toHaveLength(all.state.messages);
    expect(fromDuration.stdoutLines().at(-1)).toBe(lineOf(later));

    expect(await fromIso.process.stop()).toBe(0);
    expect(await fromDuration.process.stop()).toBe(0);
  });

  it('filters by --subject, relative to the prefix or absolute', async () => {
    const relative = runFeed(['--since', 'all', '--subject', 'ordering.>']);
    const absolute = runFeed(['--since', 'all', '--subject', `${prefix}.identity.user.*`]);
    // Each filter's last match comes after an event it must skip, so a leak would show first.
    await Promise.all([untilLines(relative, 2), untilLines(absolute, 2)]);
    expect(relative.stdoutLines()).toEqual([lineOf(history[1]), lineOf(history[3])]);
    expect(absolute.stdoutLines()).toEqual([lineOf(history[0]), lineOf(history[2])]);
    expect(await relative.process.stop()).toBe(0);
    expect(await absolute.process.stop()).toBe(0);
  });

  it('prints the CloudEvents JSON with --json, one parseable event per line', async () => {
    const feed = runFeed(['--since', 'all', '--json', '--subject', 'ordering.order.paid']);
    await untilLines(feed, 2);
    const events = feed.stdoutLines().map((line) => JSON.parse(line) as EventEnvelope);
    expect(events).toEqual([history[1], history[3]]);
    expect(events.map((e) => e.id)).toEqual([history[1].id, history[3].id]);
    expect(await feed.process.stop()).toBe(0);
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--since', 'yesterday'], '--since "yesterday"'],
  ])('exits 2 with a message on stderr for %j', async (args, message) => {
    const feed = runFeed(args);
    expect(await feed.exitCode).toBe(2);
    expect(feed.stderr()).toContain(message);
    expect(feed.stdoutLines()).toEqual([]);
  });

  it('exits 1 with one line when the stream is missing or NATS does not answer', async () => {
    const noStream = runFeed([], { EVENT_STREAM: `${stream}_MISSING` });
    const noNats = runFeed([], { NATS_URL: `nats://127.0.0.1:${await freePort()}` });
    expect(await noStream.exitCode).toBe(1);
    expect(await noNats.exitCode).toBe(1);
    expect(noStream.stderr()).toMatch(new RegExp(`^events: no stream ${stream}_MISSING .*\\n$`));
    expect(noNats.stderr()).toMatch(/^events: cannot reach NATS at nats:\/\/127\.0\.0\.1:\d+: .*\n$/);
  });

  it('prints its usage with --help', async () => {
    const feed = runFeed(['--help']);
    expect(await feed.exitCode).toBe(0);
    expect(feed.stdoutLines()[0]).toMatch(/^Usage: npm run events/);
  });
});
