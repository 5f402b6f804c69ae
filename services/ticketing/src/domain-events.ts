import type { Knex } from 'knex';
import { recordEvent } from '@ticketpro/shared';
import type { Ticket } from './models';

const EVENT_SOURCE = 'ticketing';

export type TicketEventName =
  | 'ticketing.ticket.issued'
  | 'ticketing.ticket.checked_in'
  | 'ticketing.ticket.checked_out'
  | 'ticketing.ticket.voided';

/** Records a ticket event in the caller's transaction, with the ticket as it is now; call `relay.notify()` after commit. */
export function recordTicketEvent(trx: Knex.Transaction, name: TicketEventName, ticket: Ticket) {
  return recordEvent(trx, EVENT_SOURCE, name, {
    id: ticket.id,
    order_id: ticket.order_id,
    ticket_type_id: ticket.ticket_type_id,
    event_id: ticket.event_id,
    status: ticket.status,
    validated_by: ticket.validated_by,
  });
}
