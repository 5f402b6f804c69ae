import type { Migration } from '@ticketpro/shared';
import * as createOutbox from './001_create_outbox';
import * as createProcessedEvents from './002_create_processed_events';
import * as createEventOrganizers from './003_create_event_organizers';
import * as createSigningKeys from './004_create_signing_keys';
import * as createTickets from './005_create_tickets';
import * as createRefundedOrders from './006_create_refunded_orders';
import * as signingKeyPurposes from './007_signing_key_purposes';
import * as createRefundedTickets from './008_create_refunded_tickets';
import * as createTicketTransfers from './009_create_ticket_transfers';

/** Ticketing's schema history, oldest first. */
export const migrations: Migration[] = [
  createOutbox,
  createProcessedEvents,
  createEventOrganizers,
  createSigningKeys,
  createTickets,
  createRefundedOrders,
  signingKeyPurposes,
  createRefundedTickets,
  createTicketTransfers,
];
