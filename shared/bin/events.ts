/**
 * `npm run events`: follows the domain events in JetStream (see FEED_USAGE). Events go to
 * stdout, everything else to stderr. Exit codes: 0 after a signal or --help, 1 when NATS, the
 * stream or the configuration fails, 2 for bad options.
 */
import { once } from 'node:events';
import { loadConfig } from '../src/config';
import { FEED_USAGE, openEventFeed, parseFeedArgs, type EventFeed, type FeedOptions } from '../src/events/feed';
import { runCommand, type Tell } from './command';

const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

async function writeLine(line: string): Promise<void> {
  if (process.stdout.write(`${line}\n`)) return;
  // Waiting for a slow reader keeps a long history from piling up in memory. An error ends the
  // wait; the feed has been stopped by then.
  await once(process.stdout, 'drain').catch(() => undefined);
}

async function follow(options: FeedOptions, tell: Tell): Promise<number> {
  const config = loadConfig();
  let feed: EventFeed | undefined;
  let stopping = false;
  const stop = () => {
    stopping = true;
    void feed?.close();
  };
  // `once`: a second Ctrl-C gets the default handling, so an impatient operator can still leave.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // A reader that went away (`| head`) ends the feed, rather than the process with EPIPE.
  process.stdout.on('error', stop);

  feed = await openEventFeed(
    {
      url: config.NATS_URL ?? DEFAULT_NATS_URL,
      stream: config.EVENT_STREAM,
      subjectPrefix: config.EVENT_SUBJECT_PREFIX,
    },
    options,
    tell,
  );
  try {
    if (!stopping) {
      tell(`following ${feed.description} (Ctrl-C to stop)`);
      for await (const line of feed) await writeLine(line);
    }
  } finally {
    await feed.close();
  }
  return 0;
}

runCommand({
  name: 'events',
  usage: FEED_USAGE,
  usageHint: 'Run with --help for the options.',
  parse: parseFeedArgs,
  run: follow,
});
