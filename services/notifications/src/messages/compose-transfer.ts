import type { Knex } from 'knex';
import type { NotificationKind } from '@ticketpro/shared';
import type { OutgoingMail } from '../delivery/provider';
import type { PrintedTicket } from '../tickets/ticket-pdf';
import { ObsoleteMessage, type Composer, type MessageRow } from './compose';
import { FactsNotYetKnown, findEvent, findRecipient, ticketTypeNames } from './message-facts';
import { qrContentId, ticketAttachments } from './ticket-attachments';

const TRANSFER_KINDS = ['transfer_offer', 'transfer_accepted', 'ticket_transferred'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

export const isTransferKind = (kind: NotificationKind): kind is TransferKind =>
  (TRANSFER_KINDS as readonly string[]).includes(kind);

/**
 * A transfer's message: the offer (to the address the owner typed, with how to accept), the
 * ticket under its new code (to its new holder, with its QR code and PDF), or the news to the
 * owner that it was accepted. Its facts are the event's (from the projection) and the row's.
 */
export async function composeTransferMessage(
  db: Knex,
  composer: Composer,
  row: MessageRow,
  kind: TransferKind,
): Promise<OutgoingMail> {
  const details = row.details;
  // An offer that lapsed before it could be sent (the mail server down, the facts late) would
  // invite the recipient to accept what ticketing now refuses: it is not sent.
  if (kind === 'transfer_offer' && details.expires_at !== undefined && Date.parse(details.expires_at) <= Date.now()) {
    throw new ObsoleteMessage('the transfer offer has lapsed');
  }
  const ticketId = details.ticket_id!;
  const [event, from, account] = await Promise.all([
    findEvent(db, details.event_id!),
    findRecipient(db, details.from_user_id!),
    row.recipient_id === null ? undefined : findRecipient(db, row.recipient_id),
  ]);
  if (!event) throw new FactsNotYetKnown(`event ${details.event_id} not known yet`);
  const address = row.recipient_email ?? account?.email;
  if (!address) throw new FactsNotYetKnown(`no address known for user ${row.recipient_id}`);
  const { format } = composer;
  const when = format.date(event.date);
  const holder = account ? `${account.firstname} ${account.surname}`.trim() : '';

  const printed: PrintedTicket[] = [];
  if (kind === 'ticket_transferred') {
    const names = await ticketTypeNames(db, [details.ticket_type_id!]);
    printed.push({
      id: ticketId,
      orderId: details.order_id!,
      eventName: event.event_name,
      date: when,
      location: event.location,
      typeName: names.get(details.ticket_type_id!) ?? `Ticket type #${details.ticket_type_id}`,
      seat: details.seat_number ?? 'Free seating',
      holder,
      qrCode: details.qr_code!,
    });
  }
  const subjects: Record<TransferKind, string> = {
    transfer_offer: `A ticket for ${event.event_name} is offered to you`,
    transfer_accepted: `Your ticket for ${event.event_name} was accepted`,
    ticket_transferred: `Your ticket for ${event.event_name}`,
  };
  const view = {
    subject: subjects[kind],
    timeZone: format.timeZone,
    recipient: { firstname: account?.firstname ?? 'there' },
    event: { name: event.event_name, date: when, location: event.location },
    transfer: {
      id: details.transfer_id,
      ticketId,
      from: from ? `${from.firstname} ${from.surname}`.trim() : 'A TicketPro user',
      message: details.message ?? null,
      expiresAt: details.expires_at ? format.date(new Date(details.expires_at)) : null,
      acceptPath: `/api/v1/tickets/transfers/${details.transfer_id}/accept`,
    },
    tickets: printed.map((t) => ({ ...t, cid: qrContentId(t.id, composer.messageIdDomain) })),
  };
  const { html, text } = composer.templates.render(kind, view);
  return {
    messageId: `<notification-${row.id}.${row.created_at.getTime()}@${composer.messageIdDomain}>`,
    from: composer.from,
    to: { name: holder, address },
    subject: view.subject,
    html,
    text,
    attachments: await ticketAttachments(printed, composer.messageIdDomain, `ticket-${ticketId}.pdf`),
  };
}
