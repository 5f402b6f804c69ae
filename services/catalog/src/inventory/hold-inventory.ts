import type { Knex } from 'knex';
import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  type FieldError,
  type HoldParams,
  type HoldResult,
} from '@ticketpro/shared';
import { holdRefusal } from './hold-refusal';
import { holdResult, lockOrderHolds, type OrderHold } from './order-holds';
import { reclaimExpiredHolds } from './reclaim-expired-holds';

interface HeldRow {
  /** NUMERIC text, e.g. "19.99". */
  price: string;
  currency: string;
}

/**
 * Holds every item of an order, or nothing. Each ticket type is taken by one conditional
 * UPDATE that only matches while the units are there (and the type is on sale), in ticket type
 * order so that two orders never wait on each other crosswise; the CHECK constraint backs it.
 * Repeating the hold of an order answers the hold it already has.
 */
export async function holdInventory(db: Knex, params: HoldParams): Promise<HoldResult> {
  assertWellFormed(params);
  return db.transaction(async (trx) => {
    const existing = await lockOrderHolds(trx, params.order_id);
    if (existing.length > 0) return repeatedHold(trx, params, existing);

    const event = await trx('events').where({ id: params.event_id }).whereNull('deleted_at').first('id');
    if (!event) throw new NotFoundError(`Event ${params.event_id} not found`);

    const inOrder = params.items
      .map((item, index) => ({ item, index }))
      .sort((a, b) => a.item.ticket_type_id - b.item.ticket_type_id);
    const held: { ticket_type_id: number; quantity: number; row: HeldRow }[] = [];
    for (const { item, index } of inOrder) {
      await reclaimExpiredHolds(trx, item.ticket_type_id);
      const row = await takeUnits(trx, params.event_id, item.ticket_type_id, item.quantity);
      if (!row) throw await holdRefusal(trx, params.event_id, item, index);
      held.push({ ...item, row });
    }
    if (new Set(held.map((h) => h.row.currency)).size > 1) {
      throw new UnprocessableError('The items of one order must be priced in one currency', [
        { field: 'items', message: 'must all be priced in one currency' },
      ]);
    }

    await trx('holds').insert(
      held.map(({ ticket_type_id, quantity, row }) => ({
        order_id: params.order_id,
        ticket_type_id,
        quantity,
        unit_price: row.price,
        currency: row.currency,
        expires_at: params.expires_at,
      })),
    );
    return holdResult(trx, params.order_id, await lockOrderHolds(trx, params.order_id));
  });
}

function assertWellFormed(params: HoldParams): void {
  const errors: FieldError[] = [];
  const seen = new Set<number>();
  params.items.forEach(({ ticket_type_id }, index) => {
    if (seen.has(ticket_type_id))
      errors.push({ field: `items.${index}.ticket_type_id`, message: 'appears more than once' });
    seen.add(ticket_type_id);
  });
  if (Date.parse(params.expires_at) <= Date.now())
    errors.push({ field: 'expires_at', message: 'must be in the future' });
  if (errors.length > 0) throw new UnprocessableError('The hold request is invalid', errors);
}

/**
 * The one statement that takes units: it matches only while they are there and on sale.
 * `orderUnits` is what the order holds of the type afterwards, checked against `max_per_order`.
 */
export async function takeUnits(
  trx: Knex.Transaction,
  eventId: number,
  ticketTypeId: number,
  quantity: number,
  orderUnits = quantity,
): Promise<HeldRow | undefined> {
  const { rows } = await trx.raw<{ rows: HeldRow[] }>(
    `UPDATE ticket_types tt SET held_quantity = tt.held_quantity + :quantity
     FROM events e
     WHERE tt.id = :ticketTypeId AND tt.event_id = :eventId AND tt.deleted_at IS NULL
       AND e.id = tt.event_id AND e.deleted_at IS NULL
       AND tt.sold_quantity + tt.held_quantity + :quantity <= tt.quantity
       AND (tt.max_per_order IS NULL OR :orderUnits <= tt.max_per_order)
       AND (tt.sales_start IS NULL OR tt.sales_start <= now())
       AND coalesce(tt.sales_end, e.date) > now()
     RETURNING tt.price, tt.currency`,
    { ticketTypeId, eventId, quantity, orderUnits },
  );
  return rows[0];
}

/** A repeat of an order's hold: the same items answer the hold it has, if that is still good. */
async function repeatedHold(trx: Knex.Transaction, params: HoldParams, existing: OrderHold[]): Promise<HoldResult> {
  const asked = [...params.items].sort((a, b) => a.ticket_type_id - b.ticket_type_id);
  const same =
    asked.length === existing.length &&
    asked.every(
      (item, i) => item.ticket_type_id === existing[i].ticket_type_id && item.quantity === existing[i].quantity,
    );
  if (!same) throw new ConflictError(`Order ${params.order_id} already holds other items`);
  const gone = existing.find((h) => (h.state === 'held' && h.lapsed) || !['held', 'confirmed'].includes(h.state));
  if (gone) {
    const why = gone.state === 'held' ? 'expired' : gone.state;
    throw new ConflictError(`The hold of order ${params.order_id} was ${why}`, { order_id: params.order_id });
  }
  return holdResult(trx, params.order_id, existing);
}
