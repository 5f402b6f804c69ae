import type { Knex } from 'knex';
import { Ticket } from './ticket';

export { Ticket };

/**
 * Model classes bound to one service instance's knex. Binding subclasses rather than the base
 * classes keeps two ticketing instances in one process (tests, embedded restarts) apart.
 */
export function bindModels(db: Knex) {
  return { Ticket: Ticket.bindKnex(db) };
}

export type TicketingModels = ReturnType<typeof bindModels>;
