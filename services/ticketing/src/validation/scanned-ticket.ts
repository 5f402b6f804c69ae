import { timingSafeEqual } from 'node:crypto';
import { ConflictError, ForbiddenError, NotFoundError, type AuthUser, type RequestContext } from '@ticketpro/shared';
import type { Ticket } from '../models';
import type { TicketingRuntime } from '../runtime';
import { hasValidSignature, parseCode } from '../codes/ticket-code';
import { standingOf } from '../tickets/ticket-access';
import { isRevoked } from '../transfers/revocations';

/** Only organizers and admins scan; a plain user is refused before the code is even read. */
function assertMayScan(caller: AuthUser): void {
  if (caller.role === 'user') throw new ForbiddenError("Only the event's organizer or an admin may validate tickets");
}

/**
 * The ticket a scanned code stands for, if the code is genuine: well formed, signed by one of
 * our keys, and carrying the ticket's current secret. Anything else is 404, whatever was wrong,
 * so a forger learns nothing. A plain user is refused first; after the code, the caller must
 * organize the ticket's event, or be an admin.
 */
export async function scannedTicket(
  ctx: RequestContext<unknown>,
  runtime: TicketingRuntime,
  caller: AuthUser,
  qrCode: string,
): Promise<Ticket> {
  assertMayScan(caller);
  const forged = new NotFoundError('Unknown ticket code');
  const code = parseCode(qrCode);
  if (!code) throw forged;
  const key = await runtime.keyring.find(code.kid);
  if (!key || !hasValidSignature(code, key.publicKey)) throw forged;
  const ticket = await runtime.models.Ticket.query().findById(code.ticketId);
  if (!ticket || ticket.event_id !== code.eventId) throw forged;
  const current = timingSafeEqual(Buffer.from(ticket.secret), code.secret);
  // A genuine code replaced since (the ticket transferred) is told apart from a forged one only
  // to the event's organizer or an admin.
  if (!current && !(await isRevoked(runtime.resources.db, qrCode))) throw forged;
  const standing = await standingOf(ctx, runtime.resources.db, caller, ticket);
  if (standing !== 'organizer' && standing !== 'admin') {
    throw new ForbiddenError("Only the event's organizer or an admin may validate its tickets");
  }
  if (!current) throw revokedCodeRefusal(ticket);
  return ticket;
}

/** Why a ticket would not be admitted now, or undefined when it would. */
export function refusalOf(ticket: Ticket): string | undefined {
  if (ticket.status === 'void') return 'The ticket is void';
  if (ticket.status === 'reserved') return 'The ticket is reserved: its order is not paid';
  if (ticket.checked_in) return 'The ticket is already checked in';
  return undefined;
}

/** 409 for a code the ticket no longer carries: it was transferred, and its new holder has another. */
export function revokedCodeRefusal(ticket: Ticket): ConflictError {
  return new ConflictError('The code was revoked: the ticket was transferred', {
    ticket_id: ticket.id,
    status: ticket.status,
    revoked: true,
  });
}
