import type { Knex } from 'knex';
import type { AcceptedEnvelope } from '@ticketpro/shared';
import { queueTransferMessages, queueTransferOffer } from '../messages/transfer-messages';
import { enqueueMessage } from '../messages/enqueue';

/** Ticketing's events the order tickets projection is fed from, in the versions it reads. */
export const TICKET_EVENTS = {
  'ticketing.order_tickets.issued': [1],
  'ticketing.ticket.voided': [1],
  'ticketing.ticket.transfer_offered': [1],
  'ticketing.ticket.transferred': [1],
} as const;
export type TicketEvent = AcceptedEnvelope<typeof TICKET_EVENTS>;

/**
 * An order's tickets issued: kept, with their codes, and the ticket delivery queued for the
 * buyer, once for the event (its id is the message's cause). A voided ticket is marked, so that
 * a resend or a PDF leaves it out. A transfer's events queue its messages (messages/transfer-messages.ts).
 */
export async function applyTicketEvent(trx: Knex.Transaction, envelope: TicketEvent): Promise<void> {
  if (envelope.type === 'ticketpro.ticketing.ticket.voided') {
    await trx('order_tickets').where('ticket_id', envelope.data.id).update({ void: true });
    return;
  }
  if (envelope.type === 'ticketpro.ticketing.ticket.transfer_offered') {
    await queueTransferOffer(trx, envelope.id, envelope.data);
    return;
  }
  if (envelope.type === 'ticketpro.ticketing.ticket.transferred') {
    await queueTransferMessages(trx, envelope.id, envelope.data);
    return;
  }
  const { order_id, user_id, tickets } = envelope.data;
  if (tickets.length === 0) return;
  await trx('order_tickets')
    .insert(
      tickets.map((t) => ({
        ticket_id: t.id,
        order_id,
        ticket_type_id: t.ticket_type_id,
        seat_number: t.seat_number,
        qr_code: t.qr_code,
      })),
    )
    .onConflict('ticket_id')
    .merge(['seat_number']);
  await enqueueMessage(trx, {
    source: envelope.id,
    recipientId: user_id,
    kind: 'ticket_delivery',
    orderId: order_id,
    details: { ticket_ids: tickets.map((t) => t.id) },
  });
}
