import type { Knex } from 'knex';
import { NotFoundError, type Event as EventView, type EventSummary, type RequestContext } from '@ticketpro/shared';
import type { CatalogModels, Event } from '../models';
import { organizerNames, organizerOf } from '../organizers/organizer-names';
import { toEventView } from '../views/event-view';
import { listedTicketTypes } from './listed-ticket-types';

/** The relation expression that reads an event's live ticket types with their availability. */
export const WITH_TICKET_TYPES = 'ticket_types(withAvailability, byPrice, listed)';

/** One live event with its ticket types, or 404. */
export async function findEvent(models: CatalogModels, id: number, trx?: Knex.Transaction): Promise<Event> {
  const event = await models.Event.query(trx).findById(id).withGraphFetched(WITH_TICKET_TYPES);
  if (!event) throw new NotFoundError('Event not found');
  return event;
}

/** Events as the API shows them: their organizers' names come from one lookup for all of them. */
export async function toEventViews(
  ctx: RequestContext<unknown>,
  models: CatalogModels,
  events: Event[],
): Promise<EventView[]> {
  const names = await organizerNames(
    ctx,
    models,
    events.map((e) => e.organizer_id),
  );
  return events.map((event) => toEventView(event, organizerOf(names, event.organizer_id)));
}

/**
 * Events as a list shows them (read without their ticket types): each with its cheapest ticket
 * types and how many it has, so a page stays bounded however many ticket types its events have.
 */
export async function toEventSummaries(
  ctx: RequestContext<unknown>,
  models: CatalogModels,
  events: Event[],
): Promise<EventSummary[]> {
  const [listed, names] = await Promise.all([
    listedTicketTypes(
      models.Event.knex(),
      events.map((e) => e.id),
    ),
    organizerNames(
      ctx,
      models,
      events.map((e) => e.organizer_id),
    ),
  ]);
  return events.map((event) => {
    const { ticketTypes = [], total = 0 } = listed.get(event.id) ?? {};
    const view = toEventView({ ...event, ticket_types: ticketTypes }, organizerOf(names, event.organizer_id));
    return { ...view, ticket_types_total: total };
  });
}
