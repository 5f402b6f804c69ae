import type { Knex } from 'knex';

/**
 * Runs `run` and resolves to the SQL of every statement knex sent on `db` meanwhile, BEGIN and
 * COMMIT included: what a task still runs through knex's builder and runner. Statements run
 * straight through the driver (`queryRows`) are not among them. Whatever else uses `db` at the
 * same time (an outbox drain, a feed) is recorded too, so a caller looks for its own tables.
 */
export async function knexStatementsDuring(db: Knex, run: () => Promise<unknown>): Promise<string[]> {
  const statements: string[] = [];
  const record = ({ sql }: { sql: string }) => statements.push(sql);
  db.on('query', record);
  try {
    await run();
  } finally {
    db.off('query', record);
  }
  return statements;
}
