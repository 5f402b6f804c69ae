import type { Knex } from 'knex';
import { OUTBOX_TABLE } from './outbox';
import { PROCESSED_EVENTS_TABLE } from './consumer';

/**
 * Deletes what no one needs any more: outbox rows published before `before`, and (for a service
 * that consumes events) the processed-event rows of events handled before it. An event older
 * than that delivered again (only a stream replayed by hand does that) would be handled again.
 * In batches, so no statement holds many row locks. Resolves to the rows deleted.
 */
export async function pruneEventTables(
  db: Knex,
  before: Date,
  { processedEvents }: { processedEvents: boolean },
): Promise<{ outbox: number; processedEvents: number }> {
  const outbox = await deleteInBatches(db, OUTBOX_TABLE, 'seq', (q) => q.where('published_at', '<', before));
  const processed = processedEvents
    ? await deleteInBatches(db, PROCESSED_EVENTS_TABLE, 'ctid', (q) => q.where('processed_at', '<', before))
    : 0;
  return { outbox, processedEvents: processed };
}

const PRUNE_BATCH = 1000;

async function deleteInBatches(
  db: Knex,
  table: string,
  key: string,
  filter: (query: Knex.QueryBuilder) => Knex.QueryBuilder,
): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db(table)
      .whereIn(key, filter(db(table).select(key)).limit(PRUNE_BATCH))
      .delete();
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
  }
}
