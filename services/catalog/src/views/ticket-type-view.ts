import type { EventData, TicketType as TicketTypeView } from '@ticketpro/shared';
import type { TicketType } from '../models';
import { decimalNumber, iso, isoOrNull } from '@ticketpro/shared';
import type { TextTimestamps } from '../timestamps';

/** What the view reads of a ticket type: a model, or a row read as JSON. */
export type TicketTypeFields = TextTimestamps<
  Pick<
    TicketType,
    | 'id'
    | 'event_id'
    | 'name'
    | 'description'
    | 'price'
    | 'currency'
    | 'quantity'
    | 'available_quantity'
    | 'sold_quantity'
    | 'sales_start'
    | 'sales_end'
    | 'max_per_order'
    | 'hidden'
    | 'created_at'
    | 'updated_at'
  >
>;

/**
 * The ticket type as the API shows it, the price as the JSON number of its exact decimal text.
 */
export function toTicketTypeView(ticketType: TicketTypeFields): TicketTypeView {
  if (ticketType.available_quantity === undefined) throw new Error('Ticket type read without its availability');
  return {
    id: ticketType.id,
    event_id: ticketType.event_id,
    name: ticketType.name,
    description: ticketType.description,
    price: decimalNumber(ticketType.price),
    currency: ticketType.currency,
    quantity: ticketType.quantity,
    available_quantity: ticketType.available_quantity,
    sold_quantity: ticketType.sold_quantity,
    sales_start: isoOrNull(ticketType.sales_start),
    sales_end: isoOrNull(ticketType.sales_end),
    max_per_order: ticketType.max_per_order,
    hidden: ticketType.hidden,
    created_at: iso(ticketType.created_at),
    updated_at: iso(ticketType.updated_at),
  };
}

/** What other services may know about a ticket type, as carried by catalog's events. */
export function toTicketTypeFacts(ticketType: TicketType): EventData<'catalog.ticket_type.created'> {
  return {
    id: ticketType.id,
    event_id: ticketType.event_id,
    name: ticketType.name,
    price: ticketType.price,
    currency: ticketType.currency,
    quantity: ticketType.quantity,
  };
}
