import type { Knex } from 'knex';
import { prepared } from './prepared-statements';

/**
 * Takes a transaction-scoped Postgres advisory lock, released when the transaction ends. One key
 * scheme for every lock: `scope` names what is locked, as `<service>.<what>`
 * (`catalog.inventory.order`), and `id` which one of them (an order id, a user id; 0 where the
 * scope has one lock). The key is `(hashtext(scope), id)`, Postgres's two-int form, so locks of
 * different scopes never collide on the same id.
 */
export async function lockFor(trx: Knex.Transaction, scope: string, id: number): Promise<void> {
  await lockAllFor(trx, [[scope, id]]);
}

/**
 * Takes several of `lockFor`'s locks in one round trip, one after the other in the order given
 * (a select list is evaluated left to right), so callers keep their lock order. Prepared: it is
 * on the checkout's path (catalog's hold).
 */
export async function lockAllFor(trx: Knex.Transaction, locks: readonly [scope: string, id: number][]): Promise<void> {
  await prepared(
    trx.raw(`SELECT ${locks.map(() => 'pg_advisory_xact_lock(hashtext(?), ?)').join(', ')}`, locks.flat()),
  );
}
