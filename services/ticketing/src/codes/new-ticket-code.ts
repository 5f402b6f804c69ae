import { randomBytes } from 'node:crypto';
import type { Keyring } from '@ticketpro/shared';
import { SECRET_BYTES, signCode } from './ticket-code';

/** A fresh secret for a ticket and its code, signed with the active key. */
export function newTicketCode(
  keyring: Keyring,
  ticketId: number,
  eventId: number,
): { secret: Buffer; qr_code: string } {
  const secret = randomBytes(SECRET_BYTES);
  const { kid, privateKey } = keyring.active;
  return { secret, qr_code: signCode({ ticketId, eventId, secret, kid }, privateKey) };
}
