import type { Knex } from 'knex';

/**
 * A ticket type's counters next to what its holds and waiting-list offers add up to, for
 * consistency checks: `held` counts both (`heldByHolds + offered`).
 */
export async function inventoryOf(db: Knex, ticketTypeId: number) {
  const row = await db('ticket_types').where('id', ticketTypeId).first('quantity', 'sold_quantity', 'held_quantity');
  const byState: { state: string; units: number }[] = await db('holds')
    .where('ticket_type_id', ticketTypeId)
    .groupBy('state')
    .select('state', db.raw('sum(quantity)::int AS units'));
  const units = (state: string) => byState.find((s) => s.state === state)?.units ?? 0;
  const { offered } = await db('waitlist_entries')
    .where({ ticket_type_id: ticketTypeId, state: 'offered' })
    .first(db.raw('coalesce(sum(offered_quantity), 0)::int AS offered'));
  return {
    quantity: row.quantity as number,
    sold: row.sold_quantity as number,
    held: row.held_quantity as number,
    heldByHolds: units('held'),
    soldByHolds: units('confirmed'),
    offered: offered as number,
  };
}

/** An order's holds, one per ticket type, as the inventory tests compare them. */
export function holdsOf(db: Knex, orderId: number) {
  return db('holds').where('order_id', orderId).orderBy('ticket_type_id').select('ticket_type_id', 'quantity', 'state');
}
