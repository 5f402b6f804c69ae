import type { Event as EventView, EventData } from '@ticketpro/shared';
import type { Event } from '../models';
import { toTicketTypeView, type TicketTypeFields } from './ticket-type-view';
import { iso } from '@ticketpro/shared';
import type { TextTimestamps } from '../timestamps';

export type OrganizerView = EventView['organizer'];

/** What the view reads of an event: a model, or a row read as JSON. */
export type EventFields = TextTimestamps<
  Pick<
    Event,
    | 'id'
    | 'event_name'
    | 'description'
    | 'organizer_id'
    | 'location'
    | 'date'
    | 'image'
    | 'capacity'
    | 'transfer_cutoff_hours'
    | 'created_at'
    | 'updated_at'
  >
> & { ticket_types?: TicketTypeFields[] };

/** The event as the API shows it, with its live ticket types and its organizer's public name. */
export function toEventView(event: EventFields, organizer: OrganizerView): EventView {
  if (!event.ticket_types) throw new Error('Event read without its ticket types');
  return {
    id: event.id,
    event_name: event.event_name,
    description: event.description,
    organizer_id: event.organizer_id,
    location: event.location,
    date: iso(event.date),
    image: event.image,
    capacity: event.capacity,
    transfer_cutoff_hours: event.transfer_cutoff_hours,
    organizer,
    ticket_types: event.ticket_types.map(toTicketTypeView),
    created_at: iso(event.created_at),
    updated_at: iso(event.updated_at),
  };
}

/** What other services may know about an event, as carried by catalog's events. */
export function toEventFacts(event: Event): EventData<'catalog.event.created'> {
  return {
    id: event.id,
    event_name: event.event_name,
    organizer_id: event.organizer_id,
    location: event.location,
    date: iso(event.date),
    capacity: event.capacity,
  };
}
