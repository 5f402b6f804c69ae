import type { Knex } from 'knex';
import { Event } from './event';
import { TicketType } from './ticket-type';
import { Organizer } from './organizer';

export { Event, TicketType, Organizer };

/**
 * Model classes bound to one service instance's knex. Binding subclasses rather than the base
 * classes keeps two catalog instances in one process (tests, embedded restarts) apart.
 */
export function bindModels(db: Knex) {
  return {
    Event: Event.bindKnex(db),
    TicketType: TicketType.bindKnex(db),
    Organizer: Organizer.bindKnex(db),
  };
}

export type CatalogModels = ReturnType<typeof bindModels>;
