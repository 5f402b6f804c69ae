import type { Knex } from 'knex';

/** Makes `%`, `_` and `\` in a search match themselves instead of acting as LIKE wildcards. */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Writes a projection's row as the newest facts about it: inserted, or merged over the row with
 * `key` only where the row's `as_of` is older than `row.as_of`. Events may arrive late or out of
 * order; this keeps each row at the newest event that told of it. Resolves to whether the row
 * was written (false: it already held newer facts).
 */
export async function keepNewerFacts(
  trx: Knex.Transaction,
  table: string,
  key: string,
  row: Record<string, unknown> & { as_of: string | Date },
): Promise<boolean> {
  const written: unknown[] = await trx(table)
    .insert(row)
    .onConflict(key)
    .merge()
    .where(`${table}.as_of`, '<', row.as_of)
    .returning(key);
  return written.length > 0;
}
