import type { Knex } from 'knex';
import type { NotificationKind } from '@ticketpro/shared';

export interface DueMessage {
  /** What caused it: a domain event's id, or for a reminder its order; see the messages table. */
  source: string;
  recipientId: number;
  kind: NotificationKind;
  /** The order it is about; none for a waiting-list offer. */
  orderId: number | null;
  details?: object;
  /** The user who asked for it (a resend), for the rate limit. */
  requestedBy?: number;
}

/**
 * Queues a message in the caller's transaction, unless one of the same kind for the same cause
 * and recipient exists already (a redelivered event, a second instance's reminder sweep): then
 * nothing happens. Returns the new message's id, if there is one. The dispatcher sends it.
 */
export async function enqueueMessage(trx: Knex | Knex.Transaction, message: DueMessage): Promise<number | undefined> {
  const rows: { id: number }[] = await trx('messages')
    .insert({
      source: message.source,
      recipient_id: message.recipientId,
      kind: message.kind,
      order_id: message.orderId,
      details: JSON.stringify(message.details ?? {}),
      requested_by: message.requestedBy ?? null,
    })
    .onConflict(['source', 'recipient_id', 'kind'])
    .ignore()
    .returning('id');
  return rows[0]?.id;
}
