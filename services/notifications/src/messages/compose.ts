import type { Knex } from 'knex';
import type { NotificationKind } from '@ticketpro/shared';
import type { OutgoingMail } from '../delivery/provider';
import type { PrintedTicket } from '../tickets/ticket-pdf';
import { qrContentId, ticketAttachments } from './ticket-attachments';
import { composeTransferMessage, isTransferKind, type TransferKind } from './compose-transfer';
import type { TransferDetails } from './transfer-messages';
import type { Formatting } from './formatting';
import {
  FactsNotYetKnown,
  findEvent,
  findRecipient,
  messageFacts,
  ticketTypeNames,
  validOrderTickets,
  type EventFacts,
  type MessageFactsRow,
  type OrderFacts,
} from './message-facts';
import type { MessageTemplates } from './templates';

/** A queued message as the dispatcher claims it (with the facts of its order, `ClaimedMessage`). */
export interface MessageRow {
  id: number;
  kind: NotificationKind;
  /** Null for a transfer offer to an address with no account known. */
  recipient_id: number | null;
  recipient_email: string | null;
  /** Null for a waiting-list offer and a transfer's messages, which are about no order. */
  order_id: number | null;
  /**
   * A delivery's tickets; an offer's units, type, event and expiry (catalog.waitlist.offered);
   * a transfer's facts.
   */
  details: { ticket_ids?: number[] } & Partial<OfferDetails> & Partial<TransferDetails>;
  attempts: number;
  created_at: Date;
}

/** A claimed message with what the projections knew of its recipient and order as it was claimed. */
export type ClaimedMessage = MessageRow & MessageFactsRow;

/** A message that no longer makes sense (a reminder for an order refunded since): it is not sent. */
export class ObsoleteMessage extends Error {}

export interface Composer {
  templates: MessageTemplates;
  format: Formatting;
  from: string;
  /** The domain part of our Message-IDs. */
  messageIdDomain: string;
}

interface OfferDetails {
  ticket_type_id: number;
  event_id: number;
  quantity: number;
  expires_at: string;
}

const SUBJECTS: Record<
  Exclude<NotificationKind, 'waitlist_offer' | TransferKind>,
  (order: OrderFacts, event: EventFacts, when: string) => string
> = {
  order_confirmation: (order, event) => `Order #${order.order_id} for ${event.event_name}: your tickets are held`,
  ticket_delivery: (_order, event) => `Your tickets for ${event.event_name}`,
  order_cancelled: (order) => `Order #${order.order_id} cancelled`,
  order_expired: (order) => `Order #${order.order_id} expired`,
  order_refunded: (order) => `Order #${order.order_id} refunded`,
  event_reminder: (_order, event, when) => `Reminder: ${event.event_name}, ${when}`,
};

/**
 * The message as it goes out, from its row and what the projections know now. A ticket
 * delivery carries each ticket's QR code as an inline PNG and a PDF of them all; the tickets are
 * those the row names, less any voided since.
 */
export async function composeMessage(db: Knex, composer: Composer, row: ClaimedMessage): Promise<OutgoingMail> {
  if (row.kind === 'waitlist_offer') return composeOffer(db, composer, row);
  if (isTransferKind(row.kind)) return composeTransferMessage(db, composer, row, row.kind);
  if (row.order_id === null || row.recipient_id === null) {
    throw new ObsoleteMessage(`a ${row.kind} message must name its order and its recipient`);
  }
  const { recipient, order, event, typeNames } = messageFacts(row, row.recipient_id, row.order_id);
  if (row.kind === 'event_reminder' && (order.payment_status !== 'completed' || event.deleted)) {
    throw new ObsoleteMessage('the order is no longer paid, or its event was deleted');
  }
  const { format } = composer;
  const tickets =
    row.kind === 'ticket_delivery'
      ? (await validOrderTickets(db, order.order_id)).filter((t) => row.details.ticket_ids?.includes(t.ticket_id))
      : [];
  if (row.kind === 'ticket_delivery' && tickets.length === 0) throw new ObsoleteMessage('every ticket is void');
  // A ticket's type is one of the order's, unless a unit of another type was added since.
  const unnamed = tickets.map((t) => t.ticket_type_id).filter((id) => !typeNames.has(id));
  const names = unnamed.length > 0 ? new Map([...typeNames, ...(await ticketTypeNames(db, unnamed))]) : typeNames;
  const typeName = (id: number) => names.get(id) ?? `Ticket type #${id}`;
  const holder = `${recipient.firstname} ${recipient.surname}`.trim();
  const when = format.date(event.date);

  const printed: PrintedTicket[] = tickets.map((t) => ({
    id: t.ticket_id,
    orderId: order.order_id,
    eventName: event.event_name,
    date: when,
    location: event.location,
    typeName: typeName(t.ticket_type_id),
    seat: t.seat_number ?? 'Free seating',
    holder,
    qrCode: t.qr_code,
  }));
  const view = {
    subject: SUBJECTS[row.kind](order, event, when),
    timeZone: format.timeZone,
    recipient: { firstname: recipient.firstname },
    event: { name: event.event_name, date: when, location: event.location },
    order: {
      id: order.order_id,
      total: format.money(order.total_price, order.currency),
      paymentMethod: order.payment_method,
      expiresAt: order.expires_at ? format.date(order.expires_at) : 'the end of the hold',
      items: order.items.map((i) => ({
        quantity: i.quantity,
        typeName: typeName(i.ticket_type_id),
        unitPrice: format.money(i.unit_price, order.currency),
      })),
    },
    tickets: printed.map((t) => ({ ...t, cid: qrContentId(t.id, composer.messageIdDomain) })),
  };
  const { html, text } = composer.templates.render(row.kind, view);

  const attachments = await ticketAttachments(printed, composer.messageIdDomain, `tickets-order-${order.order_id}.pdf`);
  return {
    messageId: `<notification-${row.id}.${row.created_at.getTime()}@${composer.messageIdDomain}>`,
    from: composer.from,
    to: { name: holder, address: recipient.email },
    subject: view.subject,
    html,
    text,
    attachments,
  };
}

/**
 * A waiting-list offer: what is set aside, of which type and event, until when. An offer whose
 * expiry has passed before it could be sent is not sent (its units have passed on).
 */
async function composeOffer(db: Knex, composer: Composer, row: MessageRow): Promise<OutgoingMail> {
  const { ticket_type_id: typeId, event_id: eventId, quantity, expires_at: expiresAt } = row.details;
  if (typeId === undefined || eventId === undefined || quantity === undefined || expiresAt === undefined) {
    throw new ObsoleteMessage('the offer names no ticket type, event, quantity or expiry');
  }
  if (Date.parse(expiresAt) <= Date.now()) throw new ObsoleteMessage('the offer has lapsed');
  if (row.recipient_id === null) throw new ObsoleteMessage('the offer names no recipient');
  const [recipient, event, names] = await Promise.all([
    findRecipient(db, row.recipient_id),
    findEvent(db, eventId),
    ticketTypeNames(db, [typeId]),
  ]);
  if (!recipient?.email) throw new FactsNotYetKnown(`no address known for user ${row.recipient_id}`);
  if (!event) throw new FactsNotYetKnown(`event ${eventId} not known yet`);
  if (event.deleted) throw new ObsoleteMessage('the event was deleted');
  const { format } = composer;
  const typeName = names.get(typeId) ?? `Ticket type #${typeId}`;
  const view = {
    subject: `${quantity} × ${typeName} for ${event.event_name} set aside for you`,
    timeZone: format.timeZone,
    recipient: { firstname: recipient.firstname },
    event: { name: event.event_name, date: format.date(event.date), location: event.location },
    offer: { quantity, typeName, expiresAt: format.date(expiresAt) },
  };
  const { html, text } = composer.templates.render(row.kind, view);
  return {
    messageId: `<notification-${row.id}.${row.created_at.getTime()}@${composer.messageIdDomain}>`,
    from: composer.from,
    to: { name: `${recipient.firstname} ${recipient.surname}`.trim(), address: recipient.email },
    subject: view.subject,
    html,
    text,
    attachments: [],
  };
}
