import type { Knex } from 'knex';
import type { Logger } from '@ticketpro/shared';
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
}

/** Messages one run sends at most, so that a stopping instance waits for no more than these. */
const BATCH = 50;

/**
 * Sends the messages that are due, one at a time, until none is left (or a batch is done). Each is claimed in its own
 * transaction with `FOR UPDATE SKIP LOCKED`, so instances share the queue and never send the
 * same message at once, and its outcome is committed right after the provider answers. A
 * process killed while sending leaves the row queued (its transaction rolls back) and the
 * message is sent by the next claim; only a crash between the provider accepting it and that
 * commit (a few milliseconds) can send it twice, which no mail protocol can rule out.
 */
export async function sendDueMessages(dispatcher: Dispatcher): Promise<number> {
  let sent = 0;
  while (sent < BATCH && (await sendNextMessage(dispatcher))) sent++;
  return sent;
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

async function sendNextMessage({ db, composer, provider, policy, logger }: Dispatcher): Promise<boolean> {
  return db.transaction(async (trx) => {
    const { rows } = await trx.raw<{ rows: ClaimedMessage[] }>(CLAIM_NEXT);
    const [row] = rows;
    if (!row) return false;
    const update = (changes: object) => trx('messages').where('id', row.id).update(changes);

    try {
      const mail = await composeMessage(trx, composer, row);
      const providerId = await provider.send(mail);
      await update({
        status: 'sent',
        attempts: row.attempts + 1,
        provider_message_id: providerId,
        last_error: null,
        next_attempt_at: null,
        sent_at: trx.fn.now(),
      });
      logger.info({ messageId: row.id, kind: row.kind, providerId }, 'message sent');
    } catch (err) {
      const error = String((err as Error).message ?? err).slice(0, ERROR_LENGTH);
      if (err instanceof FactsNotYetKnown && Date.now() - new Date(row.created_at).getTime() < FACTS_GIVE_UP_MS) {
        await update({ last_error: error, next_attempt_at: new Date(Date.now() + FACTS_WAIT_MS) });
      } else if (err instanceof ObsoleteMessage || err instanceof FactsNotYetKnown) {
        await update({ status: 'failed', last_error: `not sent: ${error}`, next_attempt_at: null });
        logger.info({ messageId: row.id, kind: row.kind, reason: error }, 'message not sent');
      } else {
        const attempts = row.attempts + 1;
        const givenUp = attempts >= policy.maxAttempts;
        const delay = Math.min(MAX_RETRY_MS, policy.retryAfterMs * 2 ** (attempts - 1));
        await update({
          attempts,
          last_error: error,
          status: givenUp ? 'failed' : 'queued',
          next_attempt_at: givenUp ? null : new Date(Date.now() + delay),
        });
        logger.warn({ err, messageId: row.id, kind: row.kind, attempts, givenUp }, 'message not sent');
      }
    }
    return true;
  });
}
