import type { Migration } from '@ticketpro/shared';
import * as createOutbox from './001_create_outbox';
import * as createProcessedEvents from './002_create_processed_events';
import * as createReadModel from './003_create_read_model';
import * as eventCapacity from './004_event_capacity';

/** Reporting's schema history, oldest first. */
export const migrations: Migration[] = [createOutbox, createProcessedEvents, createReadModel, eventCapacity];
