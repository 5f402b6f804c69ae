import { defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { publicTicketKeys } from '../codes/keyring';

/** The public keys scanners verify ticket codes with, offline. Public. */
export function ticketKeysAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.validation.keys', async () => publicTicketKeys(ticketing().keyring));
}
