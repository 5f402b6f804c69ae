import type { Migration } from '@ticketpro/shared';
import * as createOutbox from './001_create_outbox';
import * as createProcessedEvents from './002_create_processed_events';
import * as createOrganizers from './003_create_organizers';
import * as createEvents from './004_create_events';
import * as createTicketTypes from './005_create_ticket_types';
import * as createHolds from './006_create_holds';
import * as createAddedUnits from './007_create_added_units';
import * as createRemovedUnits from './008_create_removed_units';
import * as addHoldHolders from './009_add_hold_holders';
import * as createRestockedUnits from './010_create_restocked_units';
import * as addEventCapacity from './011_add_event_capacity';

/** Catalog's schema history, oldest first. */
export const migrations: Migration[] = [
  createOutbox,
  createProcessedEvents,
  createOrganizers,
  createEvents,
  createTicketTypes,
  createHolds,
  createAddedUnits,
  createRemovedUnits,
  addHoldHolders,
  createRestockedUnits,
  addEventCapacity,
];
