import type { Knex } from 'knex';
import { serviceEvents, type OwnEventName } from '@ticketpro/shared';
import type { Ticket } from './models';

const ticketingEvents = serviceEvents('ticketing');

/** Every event ticketing owns tells of a ticket. */
export type TicketEventName = OwnEventName<'ticketing'>;

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
