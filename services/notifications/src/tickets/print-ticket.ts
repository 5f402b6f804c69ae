import { call, ConflictError, type RequestContext } from '@ticketpro/shared';
import type { NotificationsRuntime } from '../runtime';
import { findEvent, findOrder, findRecipient, ticketTypeNames } from '../messages/message-facts';
import { ticketPdf } from './ticket-pdf';

/**
 * One ticket as a PDF page, as the ticket delivery attaches it. Ticketing decides who may see
 * the ticket (its holder, the event's organizer, an admin; anyone else gets 404) and gives its
 * current seat and code; the event, type and holder's name come from the projections, or from
 * catalog for an event not heard of yet.
 */
export async function printTicket(
  ctx: RequestContext<unknown>,
  { composer, resources }: NotificationsRuntime,
  ticketId: number,
): Promise<Buffer> {
  const { db } = resources;
  const ticket = await call(ctx, 'ticketing.tickets.get', { id: ticketId });
  if (ticket.status !== 'valid') {
    throw new ConflictError(`A ${ticket.status} ticket has no PDF: only issued, valid tickets do`, {
      ticket_id: ticket.id,
    });
  }
  const [known, order, names, transferred] = await Promise.all([
    findEvent(db, ticket.event_id),
    findOrder(db, ticket.order_id),
    ticketTypeNames(db, [ticket.ticket_type_id]),
    db('order_tickets').where('ticket_id', ticket.id).first('holder_id') as Promise<
      { holder_id: number | null } | undefined
    >,
  ]);
  const event = known
    ? { name: known.event_name, date: known.date, location: known.location }
    : await call(ctx, 'catalog.events.get', { id: ticket.event_id }).then((e) => ({
        name: e.event_name,
        date: e.date,
        location: e.location,
      }));
  // A transferred ticket's holder is its new owner, not the buyer.
  const holderId = transferred?.holder_id ?? order?.user_id;
  const holder = holderId === undefined ? undefined : await findRecipient(db, holderId);
  return ticketPdf([
    {
      id: ticket.id,
      orderId: ticket.order_id,
      eventName: event.name,
      date: composer.format.date(event.date),
      location: event.location,
      typeName: names.get(ticket.ticket_type_id) ?? `Ticket type #${ticket.ticket_type_id}`,
      seat: ticket.seat_number ?? 'Free seating',
      holder: holder ? `${holder.firstname} ${holder.surname}`.trim() : '',
      qrCode: ticket.qr_code,
    },
  ]);
}
