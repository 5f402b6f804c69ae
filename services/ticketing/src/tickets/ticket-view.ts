import { iso, isoOrNull, type Ticket as TicketView, type ValidationResult } from '@ticketpro/shared';
import type { Ticket } from '../models';

/** The ticket as the API shows it: never its unit number, owner column or secret. */
export function toTicketView(ticket: Ticket): TicketView {
  return {
    id: ticket.id,
    order_id: ticket.order_id,
    ticket_type_id: ticket.ticket_type_id,
    event_id: ticket.event_id,
    seat_number: ticket.seat_number,
    qr_code: ticket.qr_code,
    status: ticket.status,
    checked_in: ticket.checked_in,
    checked_out: ticket.checked_out,
    validated_at: isoOrNull(ticket.validated_at),
    validated_by: ticket.validated_by,
    created_at: iso(ticket.created_at),
    updated_at: iso(ticket.updated_at),
  };
}

/** The ticket as a scanner sees it; `admitted` and `reason` are the scan's verdict. */
export function toValidationResult(ticket: Ticket, admitted: boolean, reason?: string): ValidationResult {
  return {
    ticket_id: ticket.id,
    event_id: ticket.event_id,
    status: ticket.status,
    admitted,
    checked_in: ticket.checked_in,
    checked_out: ticket.checked_out,
    validated_at: isoOrNull(ticket.validated_at),
    validated_by: ticket.validated_by,
    ...(reason === undefined ? {} : { reason }),
  };
}
