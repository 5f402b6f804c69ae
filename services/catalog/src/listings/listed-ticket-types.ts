import type { Knex } from 'knex';
import { LISTED_TICKET_TYPES } from '@ticketpro/shared';
import { AVAILABLE_QUANTITY } from '../models/ticket-type';
import type { TicketTypeFields } from '../views/ticket-type-view';

export interface ListedTicketTypes {
  /** The cheapest `LISTED_TICKET_TYPES`, by price then id. */
  ticketTypes: TicketTypeFields[];
  /** How many live ticket types the event has in all. */
  total: number;
}

/**
 * The events' cheapest live ticket types and how many they have, in one statement. Availability
 * (a sum over holds) is worked out only for the rows kept, so an event with many ticket types
 * costs a page of events little more than one with few.
 */
const LISTED_SQL = `
  SELECT ticket_types.*, ${AVAILABLE_QUANTITY} AS available_quantity
  FROM (
    SELECT tt.*, row_number() OVER by_event AS rank, count(*) OVER (PARTITION BY tt.event_id)::int AS total
    FROM ticket_types tt
    WHERE tt.event_id = ANY(:eventIds) AND tt.deleted_at IS NULL AND NOT tt.hidden
    WINDOW by_event AS (PARTITION BY tt.event_id ORDER BY tt.price, tt.id)
  ) ticket_types
  WHERE ticket_types.rank <= :listed
  ORDER BY ticket_types.event_id, ticket_types.rank`;

type ListedRow = TicketTypeFields & { total: number };

/** Event id → its listed ticket types; an event without any is not in the map. */
export async function listedTicketTypes(db: Knex, eventIds: number[]): Promise<Map<number, ListedTicketTypes>> {
  const listed = new Map<number, ListedTicketTypes>();
  if (eventIds.length === 0) return listed;
  const { rows } = await db.raw<{ rows: ListedRow[] }>(LISTED_SQL, { eventIds, listed: LISTED_TICKET_TYPES });
  for (const { total, ...ticketType } of rows) {
    const entry = listed.get(ticketType.event_id) ?? { ticketTypes: [], total };
    entry.ticketTypes.push(ticketType);
    listed.set(ticketType.event_id, entry);
  }
  return listed;
}
