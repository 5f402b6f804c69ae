import Fastify from 'fastify';
import { Pool } from 'pg';
import { serveForBench } from './serve';

/**
 * The read path's baseline: `GET /api/v1/events/:id` answered by one process with fastify and
 * pg and nothing else, from catalog's own tables, with the body catalog gives (the live event,
 * its live ticket types cheapest first with availability counting only live holds, the
 * organizer's name from the projection). One statement per request: the least a server must do.
 * Prepared by name once per connection, as catalog's own read is, so that Postgres plans neither
 * per request and the comparison is of the servers, not of planning.
 *
 * Env: DATABASE_URL (the database holding the `catalog` schema), PORT, HOST, DATABASE_POOL_MAX.
 */
const EVENT_QUERY = `
  SELECT e.id, e.event_name, e.description, e.organizer_id, e.location, e.date, e.image,
         e.capacity, e.transfer_cutoff_hours,
         e.created_at, e.updated_at, o.firstname, o.surname,
         (SELECT coalesce(json_agg(tt ORDER BY tt.price, tt.id), '[]')
          FROM (SELECT t.*, greatest(t.quantity - t.sold_quantity - (
                  SELECT coalesce(sum(h.quantity), 0)::int FROM catalog.holds h
                  WHERE h.ticket_type_id = t.id AND h.state = 'held' AND h.expires_at > now()), 0) AS available_quantity
                FROM catalog.ticket_types t WHERE t.event_id = e.id AND t.deleted_at IS NULL AND NOT t.hidden) tt) AS ticket_types
  FROM catalog.events e LEFT JOIN catalog.organizers o ON o.id = e.organizer_id
  WHERE e.id = $1 AND e.deleted_at IS NULL`;

interface EventRow {
  id: number;
  event_name: string;
  description: string;
  organizer_id: number;
  location: string;
  date: Date;
  image: string | null;
  capacity: number | null;
  transfer_cutoff_hours: number | null;
  created_at: Date;
  updated_at: Date;
  firstname: string | null;
  surname: string | null;
  /** Rows as JSON: timestamps arrive as text and the price as the number of its NUMERIC text. */
  ticket_types: Record<string, unknown>[];
}

const TICKET_TYPE_TIMESTAMPS = ['sales_start', 'sales_end', 'created_at', 'updated_at'];

function ticketTypeView(row: Record<string, unknown>) {
  const times = Object.fromEntries(
    TICKET_TYPE_TIMESTAMPS.map((key) => [key, row[key] === null ? null : new Date(row[key] as string).toISOString()]),
  );
  return {
    id: row.id,
    event_id: row.event_id,
    name: row.name,
    description: row.description,
    price: row.price,
    currency: row.currency,
    quantity: row.quantity,
    available_quantity: row.available_quantity,
    sold_quantity: row.sold_quantity,
    sales_start: times.sales_start,
    sales_end: times.sales_end,
    max_per_order: row.max_per_order,
    hidden: row.hidden,
    created_at: times.created_at,
    updated_at: times.updated_at,
  };
}

function eventView(row: EventRow) {
  return {
    id: row.id,
    event_name: row.event_name,
    description: row.description,
    organizer_id: row.organizer_id,
    location: row.location,
    date: row.date.toISOString(),
    image: row.image,
    capacity: row.capacity,
    transfer_cutoff_hours: row.transfer_cutoff_hours,
    organizer: { id: row.organizer_id, firstname: row.firstname ?? '', surname: row.surname ?? '' },
    ticket_types: row.ticket_types.map(ticketTypeView),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function problem(status: number, title: string, detail: string) {
  return { type: 'about:blank', title, status, detail };
}

async function main(): Promise<void> {
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DATABASE_POOL_MAX ?? 10),
  });
  const app = Fastify();
  app.get<{ Params: { id: string } }>('/api/v1/events/:id', async (request, reply) => {
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) {
      return reply
        .code(400)
        .type('application/problem+json')
        .send(problem(400, 'Bad Request', 'id must be a positive integer'));
    }
    const { rows } = await pool.query<EventRow>({ name: 'event-view', text: EVENT_QUERY, values: [id] });
    if (rows.length === 0) {
      return reply
        .code(404)
        .type('application/problem+json')
        .send(problem(404, 'Not Found', 'Event not found'));
    }
    return eventView(rows[0]);
  });
  await serveForBench('baseline', app, pool);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
