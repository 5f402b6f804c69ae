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
  const written: unknown[] = await newerFactsStatement(trx, table, key, row);
  return written.length > 0;
}

/**
 * `keepNewerFacts`'s statement, not yet run, returning the key of a written row: to be run with
 * another (as a `WITH` of it) in one round trip.
 */
export function newerFactsStatement(
  trx: Knex.Transaction,
  table: string,
  key: string,
  row: Record<string, unknown> & { as_of: string | Date },
): Knex.QueryBuilder {
  return trx(table).insert(row).onConflict(key).merge().where(`${table}.as_of`, '<', row.as_of).returning(key);
}

/**
 * SQL giving a timestamptz `column` as the API publishes timestamps, `Date#toISOString`'s shape
 * (UTC, milliseconds, `Z`: `2027-03-01T18:00:00.000Z`) whatever the session's time zone; NULL stays
 * NULL. Microseconds are cut, not rounded, as parsing the timestamp into a `Date` cuts them. A read
 * formatted here spares the service a `Date` parsed and formatted again for every timestamp.
 */
export function isoTimestampSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * The columns of `rows` as arrays, in `columns`' order: parameters for `unnest(?::type[], …)`, so
 * that a statement writing any number of rows has the same text (and plan) for every count.
 */
export function unnestColumns<R extends object>(rows: R[], columns: (keyof R)[]): Knex.Value[] {
  return columns.map((column) => rows.map((row) => row[column]) as Knex.Value);
}
