import { ConflictError } from '@ticketpro/shared';
import type { DoorChange } from './mark-scanned';

/** Letting a checked-in ticket out: one conditional update, like check-in. */
export const checkOut: DoorChange = {
  patch: () => ({ checked_out: true }),
  where: { status: 'used', checked_in: true, checked_out: false },
  event: 'ticketing.ticket.checked_out',
  refusal: (current) => {
    const detail =
      current.status === 'void'
        ? 'The ticket is void'
        : current.checked_out
          ? 'The ticket is already checked out'
          : 'The ticket is not checked in';
    return new ConflictError(detail, { ticket_id: current.id, status: current.status });
  },
};
