import { ConflictError, isoOrNull, type AuthUser } from '@ticketpro/shared';
import type { DoorChange } from './mark-scanned';
import { refusalOf } from './scanned-ticket';

/**
 * Admitting the ticket: one conditional update, so of any number of scanners at the same instant
 * exactly one finds the ticket valid and not yet checked in. The others are told when it was.
 */
export function checkIn(by: AuthUser): DoorChange {
  return {
    patch: (trx) => ({
      status: 'used',
      checked_in: true,
      validated_at: trx.fn.now() as never,
      validated_by: by.id,
    }),
    where: { status: 'valid', checked_in: false },
    event: 'ticketing.ticket.checked_in',
    refusal: (current) =>
      new ConflictError(refusalOf(current) ?? 'The ticket cannot be checked in', {
        ticket_id: current.id,
        status: current.status,
        validated_at: isoOrNull(current.validated_at),
        validated_by: current.validated_by,
      }),
  };
}
