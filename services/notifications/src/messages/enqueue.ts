import type { Knex } from 'knex';
import type { NotificationKind } from '@ticketpro/shared';

export interface DueMessage {
  /** What caused it: a domain event's id, or for a reminder its order; see the messages table. */
  source: string;
  /** The account it is for; null for a transfer offer, which goes to `recipientEmail`. */
  recipientId: number | null;
  recipientEmail?: string;
  kind: NotificationKind;
  /** The order it is about; none for a waiting-list offer or a transfer's messages (about one ticket). */
  orderId: number | null;
  details?: object;
  /** The user who asked for it (a resend), for the rate limit. */
  requestedBy?: number;
}

/**
 * Queues a message in the caller's transaction, unless one of the same kind for the same cause
 * and recipient exists already (a redelivered event, a second instance's reminder sweep): then
 * nothing happens. Returns the new message's id, if there is one. The dispatcher sends it.
 * `alongside`, a statement of the caller's, runs in the same statement (as a `WITH`): one round
 * trip for both.
 */
export async function enqueueMessage(
  trx: Knex | Knex.Transaction,
  message: DueMessage,
  alongside?: Knex.QueryBuilder,
): Promise<number | undefined> {
  const into = alongside ? trx('messages').with('alongside', alongside) : trx('messages');
  const insert = into.insert({
    source: message.source,
    recipient_id: message.recipientId,
    recipient_email: message.recipientEmail ?? null,
    kind: message.kind,
    order_id: message.orderId,
    details: JSON.stringify(message.details ?? {}),
    requested_by: message.requestedBy ?? null,
  });
  // A message to an address alone is kept once by its own key (messages_once_by_address).
  const once =
    message.recipientId === null
      ? insert.onConflict().ignore()
      : insert.onConflict(['source', 'recipient_id', 'kind']).ignore();
  const rows: { id: number }[] = await once.returning('id');
  return rows[0]?.id;
}
