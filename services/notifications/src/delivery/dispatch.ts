import type { Knex } from 'knex';
import { runNamed, withPooledConnection, type Logger, type NamedStatement } from '@ticketpro/shared';
import { composeMessage, ObsoleteMessage, type ClaimedMessage, type Composer } from '../messages/compose';
import { FactsNotYetKnown, MESSAGE_FACTS_COLUMNS, messageFactsJoins } from '../messages/message-facts';
import type { MailProvider } from './provider';

export interface DispatchPolicy {
  maxAttempts: number;
  /** The wait after the first failed attempt; each further failure doubles it (up to an hour). */
  retryAfterMs: number;
}

/** A message whose facts are still on their way is looked at again this soon, without using up an attempt. */
const FACTS_WAIT_MS = 2_000;
/** …but not forever: a recipient with no known address after this long is given up on. */
const FACTS_GIVE_UP_MS = 24 * 3_600_000;
const MAX_RETRY_MS = 3_600_000;
/** The provider's error, as much as is worth keeping. */
const ERROR_LENGTH = 1_000;

export interface Dispatcher {
  db: Knex;
  composer: Composer;
  provider: MailProvider;
  policy: DispatchPolicy;
  logger: Logger;
  /**
   * Whether a run may keep a connection of its own while it sends a claim of several messages
   * (Postgres); false on embedded mode's PGlite, whose one connection everything shares.
   */
  claimsSeveral: boolean;
}

/**
 * Messages one claim takes, when a run may claim several: its three statements (lock, read,
 * unlock) are shared by that many sends.
 */
const CLAIM = 10;

/**
 * Sends the messages that are due until none is left, or until `keepGoing` says to stop (checked
 * before each message, so that a stopping instance waits for one send at most). Instances share
 * the queue and never send the same message at once: a message is claimed under a lock that
 * lives as long as its sender's connection, and its outcome is committed right after the
 * provider answers, before the next message is sent. A process killed while sending loses its
 * connection, so its lock goes and the row is still queued: the message is sent by the next
 * claim; only a crash between the provider accepting it and that commit (a few milliseconds) can
 * send it twice, which no mail protocol can rule out. On Postgres the lock is a session advisory
 * lock, taken on several messages by one statement (`sendClaimed`); on PGlite, a row lock in a
 * transaction per message (`sendNextMessage`). Resolves to how many messages it claimed.
 */
export async function sendDueMessages(dispatcher: Dispatcher, keepGoing: () => boolean = () => true): Promise<number> {
  let claimed = 0;
  if (!dispatcher.claimsSeveral) {
    while (keepGoing() && (await sendNextMessage(dispatcher))) claimed++;
    return claimed;
  }
  for (;;) {
    if (!keepGoing()) return claimed;
    const claim = await sendClaimed(dispatcher, CLAIM, keepGoing);
    claimed += claim;
    // A claim short of its size found no more due messages that another instance was not sending.
    if (claim < CLAIM) return claimed;
  }
}

/**
 * The next due message, locked (skipped while another instance holds it), with the facts of its
 * recipient and order in the same statement: a round trip less for every message.
 */
const CLAIM_NEXT = `WITH next AS (
    SELECT id, kind, recipient_id, recipient_email, order_id, details, attempts, created_at FROM messages
    WHERE status = 'queued' AND next_attempt_at <= now()
    ORDER BY next_attempt_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED)
  SELECT next.*, ${MESSAGE_FACTS_COLUMNS}
  FROM next ${messageFactsJoins('next.recipient_id', 'next.order_id')}`;

async function sendNextMessage(dispatcher: Dispatcher): Promise<boolean> {
  return dispatcher.db.transaction(async (trx) => {
    const { rows } = await trx.raw<{ rows: ClaimedMessage[] }>(CLAIM_NEXT);
    const [row] = rows;
    if (!row) return false;
    await send(dispatcher, row, trx, (outcome, values) => trx.raw(asKnexRaw(outcome.text), [...values, row.id]));
    return true;
  });
}

/** The advisory lock's scope (`hashtext`, with the message's id: see shared/src/advisory-lock.ts). */
const LOCK_SCOPE = 'notifications.messages.sending';

/**
 * The claim's statements are sent by name (pg prepares each once per pooled connection, then
 * only binds and runs it): parsed and planned on every claim they were a third of notifications'
 * Postgres CPU in statements (docs/PERFORMANCE.md, issue 14 eighth pass).
 */
const named = (name: string, text: string): NamedStatement => ({ name: `notifications.${name}`, text });

/**
 * Locks up to $1 due messages for this session, skipping those another instance holds: the first
 * due ones, looked at in order until enough are locked (the LIMIT stops the locking there).
 */
const LOCK_DUE = named(
  'lock-due',
  `WITH due AS (
    SELECT id FROM messages
    WHERE status = 'queued' AND next_attempt_at <= now()
    ORDER BY next_attempt_at, id
    LIMIT $1 * 4)
  SELECT id FROM due WHERE pg_try_advisory_lock(hashtext('${LOCK_SCOPE}'), id) LIMIT $1`,
);

/**
 * The locked messages that are still queued and due, read after the locks were taken (so a
 * message another instance marked sent before letting its lock go is seen sent), with facts.
 */
const READ_LOCKED = named(
  'read-locked',
  `SELECT m.id, m.kind, m.recipient_id, m.recipient_email, m.order_id, m.details, m.attempts,
    m.created_at, ${MESSAGE_FACTS_COLUMNS}
  FROM messages m ${messageFactsJoins('m.recipient_id', 'm.order_id')}
  WHERE m.id = ANY($1) AND m.status = 'queued' AND m.next_attempt_at <= now()
  ORDER BY m.next_attempt_at, m.id`,
);

const UNLOCK_ALL = named('unlock-all', 'SELECT pg_advisory_unlock_all()');

/**
 * Claims up to `limit` messages with one statement and sends them one after another while
 * `keepGoing`, each outcome committed on its own as soon as the provider answers; the locks are
 * let go at the end (a message left unsent stays queued for the next claim). Resolves to how
 * many it claimed.
 */
async function sendClaimed(dispatcher: Dispatcher, limit: number, keepGoing: () => boolean): Promise<number> {
  const { db } = dispatcher;
  // The locks belong to this connection: it is kept for the whole claim, and if the process dies,
  // Postgres drops the connection and the locks with it.
  return withPooledConnection(db, async (connection) => {
    const locked = (await runNamed(connection, LOCK_DUE, [limit])) as { id: number }[];
    if (locked.length === 0) return 0;
    try {
      const ids = locked.map((row) => row.id);
      const rows = (await runNamed(connection, READ_LOCKED, [ids])) as ClaimedMessage[];
      for (const row of rows) {
        if (!keepGoing()) break;
        await send(dispatcher, row, db, (outcome, values) => runNamed(connection, outcome, [...values, row.id]));
      }
      return locked.length;
    } finally {
      await runNamed(connection, UNLOCK_ALL, []);
    }
  });
}

/**
 * How a send went, as the message's row records it: each outcome a fixed statement, run by name
 * on a claim's connection, its own values first and the message's id last.
 */
const OUTCOMES = {
  sent: named(
    'sent',
    `UPDATE messages SET status = 'sent', attempts = $1, provider_message_id = $2, last_error = NULL,
      next_attempt_at = NULL, sent_at = now() WHERE id = $3`,
  ),
  awaitingFacts: named('awaiting-facts', 'UPDATE messages SET last_error = $1, next_attempt_at = $2 WHERE id = $3'),
  notSent: named(
    'not-sent',
    "UPDATE messages SET status = 'failed', last_error = $1, next_attempt_at = NULL WHERE id = $2",
  ),
  failed: named(
    'failed',
    'UPDATE messages SET attempts = $1, last_error = $2, status = $3, next_attempt_at = $4 WHERE id = $5',
  ),
};

/** An outcome's statement for knex (PGlite's path): its `$n` run in order, so each is a `?`. */
const asKnexRaw = (text: string) => text.replace(/\$\d+/g, '?');

/**
 * Composes (reading what else it needs through `reader`) and sends one claimed message, and
 * records how that went with `record` (the outcome's statement, with its values).
 */
async function send(
  { composer, provider, policy, logger }: Dispatcher,
  row: ClaimedMessage,
  reader: Knex,
  record: (outcome: NamedStatement, values: Knex.Value[]) => Promise<unknown>,
): Promise<void> {
  try {
    const mail = await composeMessage(reader, composer, row);
    const providerId = await provider.send(mail);
    await record(OUTCOMES.sent, [row.attempts + 1, providerId]);
    logger.info({ messageId: row.id, kind: row.kind, providerId }, 'message sent');
  } catch (err) {
    const error = String((err as Error).message ?? err).slice(0, ERROR_LENGTH);
    if (err instanceof FactsNotYetKnown && Date.now() - new Date(row.created_at).getTime() < FACTS_GIVE_UP_MS) {
      await record(OUTCOMES.awaitingFacts, [error, new Date(Date.now() + FACTS_WAIT_MS)]);
    } else if (err instanceof ObsoleteMessage || err instanceof FactsNotYetKnown) {
      await record(OUTCOMES.notSent, [`not sent: ${error}`]);
      logger.info({ messageId: row.id, kind: row.kind, reason: error }, 'message not sent');
    } else {
      const attempts = row.attempts + 1;
      const givenUp = attempts >= policy.maxAttempts;
      const delay = Math.min(MAX_RETRY_MS, policy.retryAfterMs * 2 ** (attempts - 1));
      await record(OUTCOMES.failed, [
        attempts,
        error,
        givenUp ? 'failed' : 'queued',
        givenUp ? null : new Date(Date.now() + delay),
      ]);
      logger.warn({ err, messageId: row.id, kind: row.kind, attempts, givenUp }, 'message not sent');
    }
  }
}
