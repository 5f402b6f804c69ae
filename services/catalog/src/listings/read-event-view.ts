import { NotFoundError, type Event as EventView, type RequestContext } from '@ticketpro/shared';
import type { CatalogModels } from '../models';
import { AVAILABLE_QUANTITY } from '../models/ticket-type';
import { organizerNames, organizerOf } from '../organizers/organizer-names';
import { toEventView, type EventFields } from '../views/event-view';

type EventRow = EventFields & { firstname: string | null; surname: string | null };

/**
 * The event, its live ticket types (as JSON, in catalogue order) and its organizer's name from
 * the projection, in one statement. The most requested read pays for each round trip to
 * Postgres and for each model built far more than for the query itself, so it reads rows, not
 * models; `firstname` is null when the projection lacks the organizer.
 */
const EVENT_VIEW_SQL = `
  SELECT e.id, e.event_name, e.description, e.organizer_id, e.location, e.date, e.image,
    e.capacity, e.created_at, e.updated_at, o.firstname, o.surname,
    coalesce((
      SELECT json_agg(json_build_object(
          'id', ticket_types.id, 'event_id', ticket_types.event_id, 'name', ticket_types.name,
          'description', ticket_types.description, 'price', ticket_types.price::text,
          'currency', ticket_types.currency, 'quantity', ticket_types.quantity,
          'available_quantity', ${AVAILABLE_QUANTITY}, 'sold_quantity', ticket_types.sold_quantity,
          'sales_start', ticket_types.sales_start, 'sales_end', ticket_types.sales_end,
          'max_per_order', ticket_types.max_per_order,
          'created_at', ticket_types.created_at, 'updated_at', ticket_types.updated_at)
        ORDER BY ticket_types.price, ticket_types.id)
      FROM ticket_types WHERE ticket_types.event_id = e.id AND ticket_types.deleted_at IS NULL
    ), '[]') AS ticket_types
  FROM events e LEFT JOIN organizers o ON o.id = e.organizer_id
  WHERE e.id = ? AND e.deleted_at IS NULL`;

/** One live event as the API shows it, or 404. */
export async function readEventView(
  ctx: RequestContext<unknown>,
  models: CatalogModels,
  id: number,
): Promise<EventView> {
  const { rows } = await models.Event.knex().raw<{ rows: EventRow[] }>(EVENT_VIEW_SQL, [id]);
  const event = rows[0];
  if (!event) throw new NotFoundError('Event not found');
  const { organizer_id: organizerId, firstname, surname } = event;
  const organizer =
    firstname !== null && surname !== null
      ? { id: organizerId, firstname, surname }
      : organizerOf(await organizerNames(ctx, models, [organizerId]), organizerId);
  return toEventView(event, organizer);
}
