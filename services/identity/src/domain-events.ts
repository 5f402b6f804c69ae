import { serviceEvents } from '@ticketpro/shared';

/** Records identity's own events (only those) in the caller's transaction; they are relayed once it commits. */
export const identityEvents = serviceEvents('identity');
