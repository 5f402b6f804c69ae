import type { Knex } from 'knex';
import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  type HoldParams,
  type ProblemError,
} from '@ticketpro/shared';
import { EVENT_TAKEN_UNITS, eventSoldOut } from './event-capacity';

type HoldItem = HoldParams['items'][number];

interface TicketTypeState {
  name: string;
  event_id: number;
  max_per_order: number | null;
  live: boolean;
  not_yet_on_sale: boolean;
  sales_over: boolean;
  available: number;
  /** Seats the event's capacity leaves; null without one. */
  seats_left: number | null;
}

/**
 * Why the conditional hold of `item` (at `index` in the request) matched no row: read after the
 * fact, only to word the refusal. The time checks use the database's clock, as the hold did.
 */
export async function holdRefusal(
  trx: Knex.Transaction,
  eventId: number,
  item: HoldItem,
  index: number,
): Promise<ProblemError> {
  const id = item.ticket_type_id;
  const state: TicketTypeState | undefined = await trx('ticket_types as tt')
    .join('events as e', 'e.id', 'tt.event_id')
    .where('tt.id', id)
    .first(
      'tt.name',
      'tt.event_id',
      'tt.max_per_order',
      trx.raw('(tt.deleted_at IS NULL AND e.deleted_at IS NULL) AS live'),
      trx.raw('coalesce(tt.sales_start > now(), false) AS not_yet_on_sale'),
      trx.raw('coalesce(tt.sales_end, e.date) <= now() AS sales_over'),
      trx.raw('tt.quantity - tt.sold_quantity - tt.held_quantity AS available'),
      trx.raw(`e.capacity - ${EVENT_TAKEN_UNITS} AS seats_left`),
    );
  if (!state?.live) return new NotFoundError(`Ticket type ${id} not found`);
  if (state.event_id !== eventId) {
    return new UnprocessableError(`Ticket type ${id} belongs to another event`, [
      { field: `items.${index}.ticket_type_id`, message: 'belongs to another event' },
    ]);
  }
  if (state.max_per_order !== null && item.quantity > state.max_per_order) {
    return new UnprocessableError(`At most ${state.max_per_order} of "${state.name}" per order`, [
      { field: `items.${index}.quantity`, message: `must be at most ${state.max_per_order}` },
    ]);
  }
  if (state.not_yet_on_sale) return new ConflictError(`"${state.name}" is not on sale yet`, { ticket_type_id: id });
  if (state.sales_over) return new ConflictError(`Sales of "${state.name}" have ended`, { ticket_type_id: id });
  if (state.seats_left !== null && state.seats_left < item.quantity && state.available >= item.quantity) {
    return eventSoldOut(state.seats_left, item.quantity, id);
  }
  return new ConflictError(
    `"${state.name}" is sold out: ${Math.max(state.available, 0)} left, ${item.quantity} asked`,
    {
      ticket_type_id: id,
      available: Math.max(state.available, 0),
    },
  );
}
