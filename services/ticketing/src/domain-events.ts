import type { Knex } from 'knex';
import { serviceEvents, type OwnEventName } from '@ticketpro/shared';
import type { Ticket, TicketingModels } from './models';

const ticketingEvents = serviceEvents('ticketing');

/** Every event ticketing owns tells of a ticket, but one that tells of an order's tickets. */
export type TicketEventName = Exclude<OwnEventName<'ticketing'>, 'ticketing.order_tickets.issued'>;

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
