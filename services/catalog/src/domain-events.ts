import { serviceEvents } from '@ticketpro/shared';

/** Records catalog's own events (only those) in the caller's transaction; they are relayed once it commits. */
export const catalogEvents = serviceEvents('catalog');
