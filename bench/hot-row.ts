import { Client } from 'pg';
import { latencyOf, type Latency } from './latency';
import type { RunLength } from './options';

/**
 * The statement catalog holds units with (`takeUnits` in
 * services/catalog/src/inventory/hold-inventory.ts), parameters in the same places; keep the two alike.
 */
const TAKE_UNITS = `UPDATE ticket_types tt SET held_quantity = tt.held_quantity + $3
     FROM events e
     WHERE tt.id = $1 AND tt.event_id = $2 AND tt.deleted_at IS NULL
       AND e.id = tt.event_id AND e.deleted_at IS NULL
       AND tt.sold_quantity + tt.held_quantity + $3 <= tt.quantity
       AND (tt.max_per_order IS NULL OR $4 <= tt.max_per_order)
       AND (tt.sales_start IS NULL OR tt.sales_start <= now())
       AND coalesce(tt.sales_end, e.date) > now()
     RETURNING tt.price, tt.currency`;

export interface HotRowFigures extends Latency {
  connections: number;
  updates: number;
  perSecond: number;
}

/**
 * The hot-row limit: how many times per second Postgres commits catalog's hold of one unit on
 * one ticket type when `connections` clients do nothing else, each statement its own
 * transaction. Nothing a service does on that row can go faster. The ticket type's quantity is
 * raised first so that the run never sells out; use a scratch ticket type.
 */
export async function measureHotRow(
  databaseUrl: string,
  row: { eventId: number; ticketTypeId: number },
  connections: number,
  length: RunLength,
): Promise<HotRowFigures> {
  const clients = Array.from(
    { length: connections },
    () => new Client({ connectionString: databaseUrl, options: '-c search_path=catalog,public' }),
  );
  try {
    await Promise.all(clients.map((c) => c.connect()));
    await clients[0].query('UPDATE ticket_types SET quantity = 2147483647 WHERE id = $1', [row.ticketTypeId]);
    const samples: number[] = [];
    const started = performance.now();
    let sent = 0;
    const more =
      'seconds' in length ? () => performance.now() < started + length.seconds * 1000 : () => sent < length.requests;
    await Promise.all(
      clients.map(async (client) => {
        while (more()) {
          sent++;
          const sentAt = performance.now();
          const { rowCount } = await client.query(TAKE_UNITS, [row.ticketTypeId, row.eventId, 1, 1]);
          if (rowCount !== 1) throw new Error(`the hot-row UPDATE matched ${rowCount} rows, not 1`);
          samples.push(performance.now() - sentAt);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    return { connections, updates: samples.length, perSecond: samples.length / elapsed, ...latencyOf(samples) };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}
