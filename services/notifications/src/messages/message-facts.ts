import type { Knex } from 'knex';

export interface RecipientFacts {
  user_id: number;
  email: string | null;
  firstname: string;
  surname: string;
}

export interface EventFacts {
  event_id: number;
  event_name: string;
  location: string;
  date: Date;
  organizer_id: number;
  deleted: boolean;
}

export interface OrderFacts {
  order_id: number;
  user_id: number;
  event_id: number;
  payment_status: string;
  total_price: string;
  currency: string;
  payment_method: string | null;
  expires_at: Date | null;
  items: { ticket_type_id: number; quantity: number; unit_price: string }[];
}

export interface TicketFacts {
  ticket_id: number;
  order_id: number;
  ticket_type_id: number;
  seat_number: string | null;
  qr_code: string;
  void: boolean;
}

/** A fact a message needs that the projections do not have yet: its event is still on its way. */
export class FactsNotYetKnown extends Error {}

export const findRecipient = (db: Knex, userId: number): Promise<RecipientFacts | undefined> =>
  db('recipients').where('user_id', userId).first();

export const findEvent = (db: Knex, eventId: number): Promise<EventFacts | undefined> =>
  db('events').where('event_id', eventId).first();

export const findOrder = (db: Knex, orderId: number): Promise<OrderFacts | undefined> =>
  db('orders').where('order_id', orderId).first();

/** The names of ticket types by id; one not known yet is left out (shown by its id). */
export async function ticketTypeNames(db: Knex, ids: number[]): Promise<Map<number, string>> {
  const rows: { id: number; name: string }[] = await db('ticket_types').whereIn('id', ids).select('id', 'name');
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** An order's tickets that are still good and still its buyer's (not transferred), in id order. */
export const validOrderTickets = (db: Knex, orderId: number): Promise<TicketFacts[]> =>
  db('order_tickets').where({ order_id: orderId, void: false }).whereNull('holder_id').orderBy('ticket_id');

/** What every message needs: its recipient's address, its order and its event. */
export async function messageFacts(db: Knex, recipientId: number, orderId: number) {
  const [recipient, order] = await Promise.all([findRecipient(db, recipientId), findOrder(db, orderId)]);
  if (!recipient?.email) throw new FactsNotYetKnown(`no address known for user ${recipientId}`);
  if (!order) throw new FactsNotYetKnown(`order ${orderId} not known yet`);
  const event = await findEvent(db, order.event_id);
  if (!event) throw new FactsNotYetKnown(`event ${order.event_id} not known yet`);
  return { recipient: { ...recipient, email: recipient.email }, order, event };
}
