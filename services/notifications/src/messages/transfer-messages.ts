import type { Knex } from 'knex';
import type { EventData } from '@ticketpro/shared';
import { enqueueMessage } from './enqueue';

type Offered = EventData<'ticketing.ticket.transfer_offered', 1>;
type Transferred = EventData<'ticketing.ticket.transferred', 1>;

/** What a transfer's message carries beyond the projections: the facts of its event. */
export interface TransferDetails {
  transfer_id: number;
  ticket_id: number;
  event_id: number;
  from_user_id: number;
  message?: string | null;
  expires_at?: string;
  order_id?: number;
  ticket_type_id?: number;
  seat_number?: string | null;
  qr_code?: string;
}

/**
 * The offer goes to the address the owner typed, whether or not it has an account: it is never
 * looked up, so nothing said to the owner depends on it. Once per event, as every message.
 */
export async function queueTransferOffer(trx: Knex.Transaction, source: string, offer: Offered): Promise<void> {
  const details: TransferDetails = {
    transfer_id: offer.transfer_id,
    ticket_id: offer.ticket_id,
    event_id: offer.event_id,
    from_user_id: offer.from_user_id,
    message: offer.message,
    expires_at: offer.expires_at,
  };
  await enqueueMessage(trx, {
    source,
    recipientId: null,
    recipientEmail: offer.recipient_email,
    kind: 'transfer_offer',
    orderId: null,
    details,
  });
}

/**
 * A ticket handed over: it leaves its order's tickets (the buyer's resends and PDFs no longer
 * carry its old code), the new holder gets it with its new code, and the owner is told.
 */
export async function queueTransferMessages(trx: Knex.Transaction, source: string, moved: Transferred): Promise<void> {
  await trx('order_tickets').where('ticket_id', moved.ticket_id).update({ holder_id: moved.to_user_id });
  const details: TransferDetails = {
    transfer_id: moved.transfer_id,
    ticket_id: moved.ticket_id,
    event_id: moved.event_id,
    from_user_id: moved.from_user_id,
    order_id: moved.order_id,
    ticket_type_id: moved.ticket_type_id,
    seat_number: moved.seat_number,
    qr_code: moved.qr_code,
  };
  await enqueueMessage(trx, {
    source,
    recipientId: moved.to_user_id,
    kind: 'ticket_transferred',
    orderId: null,
    details,
  });
  await enqueueMessage(trx, {
    source,
    recipientId: moved.from_user_id,
    kind: 'transfer_accepted',
    orderId: null,
    details: {
      transfer_id: moved.transfer_id,
      ticket_id: moved.ticket_id,
      event_id: moved.event_id,
      from_user_id: moved.from_user_id,
    },
  });
}
