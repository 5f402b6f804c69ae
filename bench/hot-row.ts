import { Client } from 'pg';
import knexFactory from 'knex';
import { TAKE_UNITS } from '@ticketpro/catalog/src/inventory/hold-inventory';
import { latencyOf, type Latency } from './latency';
import type { RunLength } from './options';

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
    // Catalog's own statement, its named bindings compiled to pg's positional ones, so the limit
    // is measured on exactly what a hold runs.
    const takeOneUnit = knexFactory({ client: 'pg' })
      .raw(TAKE_UNITS, { ticketTypeId: row.ticketTypeId, eventId: row.eventId, quantity: 1, orderUnits: 1 })
      .toSQL()
      .toNative();
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
          const { rowCount } = await client.query(takeOneUnit.sql, takeOneUnit.bindings as unknown[]);
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
