import type { Knex } from 'knex';
import { serviceEvents } from '@ticketpro/shared';
import type { Ticket } from './models';

const ticketingEvents = serviceEvents('ticketing');

export type TicketEventName =
  | 'ticketing.ticket.issued'
  | 'ticketing.ticket.checked_in'
  | 'ticketing.ticket.checked_out'
  | 'ticketing.ticket.voided';

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
