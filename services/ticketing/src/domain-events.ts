import type { Knex } from 'knex';
import { iso, serviceEvents, type OwnEventName } from '@ticketpro/shared';
import type { Ticket, TicketingModels, TicketTransfer } from './models';

const ticketingEvents = serviceEvents('ticketing');

/** The events that tell of one ticket as it now stands (the others carry facts of their own). */
export type TicketEventName = Exclude<
  OwnEventName<'ticketing'>,
  'ticketing.order_tickets.issued' | 'ticketing.ticket.transfer_offered' | 'ticketing.ticket.transferred'
>;

/** Records a ticket event in the caller's transaction, with the ticket as it is now; it is relayed once that commits. */
export function recordTicketEvent(trx: Knex.Transaction, name: TicketEventName, ticket: Ticket) {
  return ticketingEvents.record(trx, name, {
    id: ticket.id,
    order_id: ticket.order_id,
    ticket_type_id: ticket.ticket_type_id,
    event_id: ticket.event_id,
    status: ticket.status,
    validated_by: ticket.validated_by,
  });
}

/**
 * Records, once an order's tickets are issued, every valid ticket of it with its code: one
 * event, so that the buyer gets one delivery of them all.
 */
export async function recordOrderTicketsIssued(
  trx: Knex.Transaction,
  models: TicketingModels,
  order: { id: number; user_id: number; event_id: number },
) {
  const tickets = await models.Ticket.query(trx).where({ order_id: order.id, status: 'valid' }).orderBy('id');
  return ticketingEvents.record(trx, 'ticketing.order_tickets.issued', {
    order_id: order.id,
    user_id: order.user_id,
    event_id: order.event_id,
    tickets: tickets.map((t) => ({
      id: t.id,
      ticket_type_id: t.ticket_type_id,
      seat_number: t.seat_number,
      qr_code: t.qr_code,
    })),
  });
}

/** An offer made: what the recipient's message needs (they may have no account yet). */
export function recordTransferOffered(trx: Knex.Transaction, transfer: TicketTransfer) {
  return ticketingEvents.record(trx, 'ticketing.ticket.transfer_offered', {
    transfer_id: transfer.id,
    ticket_id: transfer.ticket_id,
    event_id: transfer.event_id,
    from_user_id: transfer.from_user_id,
    recipient_email: transfer.recipient_email,
    message: transfer.message,
    expires_at: iso(transfer.expires_at),
  });
}

/** A ticket handed over: its new owner and new code, for the delivery to them. */
export function recordTransferred(trx: Knex.Transaction, ticket: Ticket, transfer: TicketTransfer, fromUserId: number) {
  return ticketingEvents.record(trx, 'ticketing.ticket.transferred', {
    transfer_id: transfer.id,
    ticket_id: ticket.id,
    order_id: ticket.order_id,
    ticket_type_id: ticket.ticket_type_id,
    event_id: ticket.event_id,
    seat_number: ticket.seat_number,
    from_user_id: fromUserId,
    to_user_id: ticket.user_id,
    qr_code: ticket.qr_code,
    by_admin: transfer.by_admin,
  });
}
