import type { Knex } from 'knex';
import { ConflictError } from './errors';

/** One unit of an order's ticket type, as a change to it names it. */
export interface UnitOfOrder {
  order_id: number;
  ticket_type_id: number;
}

/**
 * The row a unit's change (one added, one given back) already wrote under the caller's `ref` in
 * the service's own `table`, if any: a repeated call answers from it and changes nothing twice.
 * A `ref` once used for another order's or ticket type's unit is refused (409).
 */
export async function unitChangeUnder<Row extends UnitOfOrder>(
  trx: Knex.Transaction,
  table: string,
  ref: string,
  unit: UnitOfOrder,
): Promise<Row | undefined> {
  const applied: Row | undefined = await trx(table).where('ref', ref).first();
  if (applied && (applied.order_id !== unit.order_id || applied.ticket_type_id !== unit.ticket_type_id)) {
    throw new ConflictError(`Reference ${ref} was used for another unit`, { ref });
  }
  return applied;
}
