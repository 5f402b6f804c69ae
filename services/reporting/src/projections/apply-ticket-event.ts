import type { Knex } from 'knex';
import type { AcceptedEnvelope } from '@ticketpro/shared';

/** Ticketing's events the ticket projection is fed from, in the versions it reads. */
export const TICKET_EVENTS = {
  'ticketing.ticket.issued': [1],
  'ticketing.ticket.checked_in': [1],
  'ticketing.ticket.checked_out': [1],
  'ticketing.ticket.voided': [1],
  'ticketing.order_tickets.issued': [1],
  'ticketing.ticket.transferred': [1],
} as const;
export type TicketEvent = AcceptedEnvelope<typeof TICKET_EVENTS>;

/**
 * Keeps each ticket's state (a row only takes facts newer than its own), when it was admitted
 * (the `checked_in` event's time, cleared by a check-out), its seat from the order's issue, and
 * its holder once it is transferred (the newest transfer wins, whichever arrives first).
 */
export async function applyTicketEvent(trx: Knex.Transaction, envelope: TicketEvent): Promise<void> {
  const { time } = envelope;
  if (envelope.type === 'ticketpro.ticketing.ticket.transferred') {
    const { ticket_id, order_id, event_id, ticket_type_id, seat_number, to_user_id } = envelope.data;
    await trx('tickets')
      .insert({
        ticket_id,
        order_id,
        event_id,
        ticket_type_id,
        seat_number,
        status: 'valid',
        holder_id: to_user_id,
        holder_as_of: time,
        as_of: new Date(0),
      })
      .onConflict('ticket_id')
      .merge(['holder_id', 'holder_as_of'])
      .where(trx.raw('tickets.holder_as_of IS NULL OR tickets.holder_as_of < ?', [time]));
  } else if (envelope.type === 'ticketpro.ticketing.order_tickets.issued') {
    const { order_id, event_id, tickets } = envelope.data;
    if (tickets.length > 0) {
      await trx('tickets')
        .insert(
          tickets.map((t) => ({
            ticket_id: t.id,
            order_id,
            event_id,
            ticket_type_id: t.ticket_type_id,
            seat_number: t.seat_number,
            status: 'valid',
            // Older than any event about the ticket itself, so those win.
            as_of: new Date(0),
          })),
        )
        .onConflict('ticket_id')
        .merge(['seat_number']);
    }
  } else {
    const { id, order_id, event_id, ticket_type_id, status } = envelope.data;
    const admitted =
      envelope.type === 'ticketpro.ticketing.ticket.checked_in'
        ? { checked_in_at: time }
        : envelope.type === 'ticketpro.ticketing.ticket.checked_out'
          ? { checked_in_at: null }
          : {};
    await trx('tickets')
      .insert({ ticket_id: id, order_id, event_id, ticket_type_id, status, as_of: time, ...admitted })
      .onConflict('ticket_id')
      .merge(['order_id', 'event_id', 'ticket_type_id', 'status', 'as_of', ...Object.keys(admitted)])
      .where('tickets.as_of', '<', time);
  }
}
