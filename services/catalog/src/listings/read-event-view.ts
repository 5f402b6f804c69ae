import {
  NotFoundError,
  isoTimestampSql,
  queryRows,
  type NamedStatement,
  type Event as EventView,
  type RequestContext,
} from '@ticketpro/shared';
import type { CatalogModels } from '../models';
import { AVAILABLE_QUANTITY } from '../models/ticket-type';
import { organizerNames, organizerOf } from '../organizers/organizer-names';
import type { OrganizerView } from '../views/event-view';

/** The view as Postgres builds it: `organizer` is null when the projection lacks the organizer. */
type EventViewRow = { view: Omit<EventView, 'organizer'> & { organizer: OrganizerView | null } };

/**
 * The event as the API shows it (views/event-view.ts gives the same from models), built by
 * Postgres as one JSON value, with its live ticket types in catalogue order and its organizer's
 * name from the projection: timestamps already in the API's shape, prices as JSON numbers of
 * their exact decimal text. The most requested read: building the view in the statement spares
 * a parse and a format of every timestamp, and every row, in JS.
 */
const EVENT_VIEW: NamedStatement = {
  name: 'catalog.event_view',
  text: `
  SELECT json_build_object(
    'id', e.id, 'event_name', e.event_name, 'description', e.description, 'organizer_id', e.organizer_id,
    'location', e.location, 'date', ${isoTimestampSql('e.date')}, 'image', e.image, 'capacity', e.capacity,
    'transfer_cutoff_hours', e.transfer_cutoff_hours,
    'organizer', CASE WHEN o.firstname IS NOT NULL AND o.surname IS NOT NULL
      THEN json_build_object('id', e.organizer_id, 'firstname', o.firstname, 'surname', o.surname) END,
    'ticket_types', coalesce((
      SELECT json_agg(json_build_object(
          'id', ticket_types.id, 'event_id', ticket_types.event_id, 'name', ticket_types.name,
          'description', ticket_types.description, 'price', ticket_types.price,
          'currency', ticket_types.currency, 'quantity', ticket_types.quantity,
          'available_quantity', ${AVAILABLE_QUANTITY}, 'sold_quantity', ticket_types.sold_quantity,
          'sales_start', ${isoTimestampSql('ticket_types.sales_start')},
          'sales_end', ${isoTimestampSql('ticket_types.sales_end')},
          'max_per_order', ticket_types.max_per_order, 'hidden', ticket_types.hidden,
          'created_at', ${isoTimestampSql('ticket_types.created_at')},
          'updated_at', ${isoTimestampSql('ticket_types.updated_at')})
        ORDER BY ticket_types.price, ticket_types.id)
      FROM ticket_types WHERE ticket_types.event_id = e.id AND ticket_types.deleted_at IS NULL
        AND NOT ticket_types.hidden
    ), '[]'),
    'created_at', ${isoTimestampSql('e.created_at')}, 'updated_at', ${isoTimestampSql('e.updated_at')}
  ) AS view
  FROM events e LEFT JOIN organizers o ON o.id = e.organizer_id
  WHERE e.id = $1 AND e.deleted_at IS NULL`,
};

/**
 * One live event as the API shows it, or 404. Read straight through the database driver: knex's
 * and Objection's path cost catalog more CPU than this one statement.
 */
export async function readEventView(
  ctx: RequestContext<unknown>,
  models: CatalogModels,
  id: number,
): Promise<EventView> {
  const [row] = await queryRows<EventViewRow>(models.Event.knex(), EVENT_VIEW, [id]);
  if (!row) throw new NotFoundError('Event not found');
  const { view } = row;
  return {
    ...view,
    organizer: view.organizer ?? organizerOf(await organizerNames(ctx, models, [view.organizer_id]), view.organizer_id),
  };
}
