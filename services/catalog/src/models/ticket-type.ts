import { raw, type QueryBuilder } from 'objection';
import { SoftDeleteModel, type DecimalText } from '@ticketpro/shared';

/** Units of live holds: a hold past its expiry no longer counts, whether or not it was swept yet. */
const LIVE_HELD_UNITS = `(SELECT coalesce(sum(h.quantity), 0)::int FROM holds h
  WHERE h.ticket_type_id = ticket_types.id AND h.state = 'held' AND h.expires_at > now())`;

/** Units set aside for waiting users by offers still open: nobody else may take them. */
const LIVE_OFFERED_UNITS = `(SELECT coalesce(sum(w.offered_quantity), 0)::int FROM waitlist_entries w
  WHERE w.ticket_type_id = ticket_types.id AND w.state = 'offered' AND w.offer_expires_at > now())`;

/**
 * SQL for a `ticket_types` row's units still for sale: quantity less sold, live holds and open
 * waiting-list offers, never below zero.
 */
export const AVAILABLE_QUANTITY = `greatest(ticket_types.quantity - ticket_types.sold_quantity - ${LIVE_HELD_UNITS} - ${LIVE_OFFERED_UNITS}, 0)`;

export class TicketType extends SoftDeleteModel {
  static override tableName = 'ticket_types';

  declare id: number;
  declare event_id: number;
  declare name: string;
  declare description: string;
  declare price: DecimalText;
  declare currency: string;
  declare quantity: number;
  declare sold_quantity: number;
  declare held_quantity: number;
  /** Only on rows read with the `withAvailability` modifier. */
  declare available_quantity?: number;
  declare sales_start: Date | null;
  declare sales_end: Date | null;
  declare max_per_order: number | null;
  /** Not listed publicly, and sold only with a promo code that unlocks it. */
  declare hidden: boolean;

  static override modifiers = {
    /** Adds `available_quantity`: quantity less sold, live holds and open offers, never below zero. */
    withAvailability(query: QueryBuilder<TicketType>) {
      query.select('ticket_types.*', raw(`${AVAILABLE_QUANTITY} AS available_quantity`));
    },
    /** Only those listed publicly: not hidden. */
    listed(query: QueryBuilder<TicketType>) {
      query.where('ticket_types.hidden', false);
    },
    /** The catalogue order: cheapest first, then oldest. */
    byPrice(query: QueryBuilder<TicketType>) {
      query.orderBy([{ column: 'ticket_types.price' }, { column: 'ticket_types.id' }]);
    },
  };
}
