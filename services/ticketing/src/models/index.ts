import type { Knex } from 'knex';
import { Ticket } from './ticket';
import { TicketTransfer } from './ticket-transfer';

export { Ticket, TicketTransfer };

// Tables without a model, and why raw SQL serves them better:
// - event_organizers: a projection of catalog's events (id → organizer, as of when), written by
//   one conditional upsert per event and read by id (src/organizers).
// - refunded_orders: a set of order ids, inserted once and looked up (src/refunds/refunded-orders.ts).
// - refunded_tickets: a set of ticket ids voided by a refund, inserted once and looked up
//   (src/refunds/void-for-refund.ts).
// - ticket_owner_changes: write-once rows, one per change of owner, read whole per ticket
//   (src/transfers/ticket-owners.ts).
// - revoked_codes: write-once receipts, read as a feed by time (src/transfers/revocations.ts).
// - signing_keys: the shared kit's `Keyring` (shared/src/keyring.ts) owns it, the same table in
//   identity and ticketing.
// - outbox, processed_events: the shared kit's (shared/src/events), the same in every service.

/**
 * Model classes bound to one service instance's knex. Binding subclasses rather than the base
 * classes keeps two ticketing instances in one process (tests, embedded restarts) apart.
 */
export function bindModels(db: Knex) {
  return { Ticket: Ticket.bindKnex(db), TicketTransfer: TicketTransfer.bindKnex(db) };
}

export type TicketingModels = ReturnType<typeof bindModels>;
