import type { Migration } from '@ticketpro/shared';
import * as createOutbox from './001_create_outbox';
import * as createProcessedEvents from './002_create_processed_events';
import * as createRecipients from './003_create_recipients';
import * as createEvents from './004_create_events';
import * as createTicketTypes from './005_create_ticket_types';
import * as createOrders from './006_create_orders';
import * as createOrderTickets from './007_create_order_tickets';
import * as createMessages from './008_create_messages';
import * as addWaitlistOfferMessages from './009_add_waitlist_offer_messages';
import * as transferMessages from './010_transfer_messages';

/** Notifications' schema history, oldest first. */
export const migrations: Migration[] = [
  createOutbox,
  createProcessedEvents,
  createRecipients,
  createEvents,
  createTicketTypes,
  createOrders,
  createOrderTickets,
  createMessages,
  addWaitlistOfferMessages,
  transferMessages,
];
