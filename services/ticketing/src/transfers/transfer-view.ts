import { iso, isoOrNull, type TicketTransfer as TransferView } from '@ticketpro/shared';
import type { TicketTransfer } from '../models';

export function toTransferView(transfer: TicketTransfer): TransferView {
  return {
    id: transfer.id,
    ticket_id: transfer.ticket_id,
    event_id: transfer.event_id,
    from_user_id: transfer.from_user_id,
    recipient_email: transfer.recipient_email,
    message: transfer.message,
    status: transfer.status,
    to_user_id: transfer.to_user_id,
    expires_at: iso(transfer.expires_at),
    decided_at: isoOrNull(transfer.decided_at),
    created_at: iso(transfer.created_at),
  };
}
