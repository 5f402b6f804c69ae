import type { Knex } from 'knex';
import { Event } from './event';
import { TicketType } from './ticket-type';
import { Organizer } from './organizer';
import { PromoCode } from './promo-code';

export { Event, TicketType, Organizer, PromoCode };

// Tables without a model, and why raw SQL serves them better:
// - holds: taken with the ticket type's units in one statement (a data-modifying CTE), moved
//   between states a whole order at a time and summed in NUMERIC (src/inventory).
// - added_units, removed_units, restocked_units: write-once receipts of unit references, read by
//   `ref` only.
// - waitlist_entries: offered and lapsed a ticket type's queue at a time by set-wise statements
//   (src/waitlist/offer-freed-units.ts, close-waitlist.ts), summed into a ticket type's free
//   units (src/models/ticket-type.ts), and otherwise inserted or moved to one state by id.
// - outbox, processed_events: the shared kit's (shared/src/events), the same in every service.

/**
 * Model classes bound to one service instance's knex. Binding subclasses rather than the base
 * classes keeps two catalog instances in one process (tests, embedded restarts) apart.
 */
export function bindModels(db: Knex) {
  return {
    Event: Event.bindKnex(db),
    TicketType: TicketType.bindKnex(db),
    Organizer: Organizer.bindKnex(db),
    PromoCode: PromoCode.bindKnex(db),
  };
}

export type CatalogModels = ReturnType<typeof bindModels>;
