import { NoParams, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';

/** The public keys scanners verify ticket codes with, offline. Public. */
export function ticketKeysAction(ticketing: TicketingAccess) {
  return defineAction(NoParams, async () => ticketing().keyring.publicKeys());
}
