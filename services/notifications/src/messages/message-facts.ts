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

const RECIPIENT_COLUMNS = ['user_id', 'email', 'firstname', 'surname'] as const;
/** The order projection's facts (all its columns but `as_of`). */
export const ORDER_FACT_COLUMNS = [
  'order_id',
  'user_id',
  'event_id',
  'payment_status',
  'total_price',
  'currency',
  'payment_method',
  'expires_at',
  'items',
] as const;
const EVENT_COLUMNS = ['event_id', 'event_name', 'location', 'date', 'organizer_id', 'deleted'] as const;

/** `alias.column AS alias_column` for each column, so that one row carries three tables' facts. */
const prefixed = (alias: string, columns: readonly string[]) =>
  columns.map((column) => `${alias}.${column} AS ${alias}_${column}`).join(', ');

/** The columns of `row` that start with `alias_`, without it; undefined when the join found no row. */
function unprefixed<T>(
  row: Record<string, unknown>,
  alias: string,
  columns: readonly string[],
  key: string,
): T | undefined {
  if (row[`${alias}_${key}`] === null) return undefined;
  return Object.fromEntries(columns.map((column) => [column, row[`${alias}_${column}`]])) as T;
}

/**
 * The recipient, the order, its event and the names of its items' ticket types, as columns of one
 * row (`MESSAGE_FACTS_JOINS` finds them), so that the dispatcher reads them with the message it
 * claims, in one round trip (it composes a message for every order placed).
 */
export const MESSAGE_FACTS_COLUMNS = `${prefixed('r', RECIPIENT_COLUMNS)}, ${prefixed('o', ORDER_FACT_COLUMNS)}, ${prefixed('e', EVENT_COLUMNS)},
    (SELECT coalesce(jsonb_object_agg(tt.id, tt.name), '{}') FROM ticket_types tt
      WHERE tt.id IN (SELECT (item->>'ticket_type_id')::int FROM jsonb_array_elements(o.items) item)) AS type_names`;

/** The joins `MESSAGE_FACTS_COLUMNS` read, for the recipient and order ids those SQL expressions give. */
export const messageFactsJoins = (recipientId: string, orderId: string) => `
  LEFT JOIN recipients r ON r.user_id = ${recipientId}
  LEFT JOIN orders o ON o.order_id = ${orderId}
  LEFT JOIN events e ON e.event_id = o.event_id`;

/** A row with `MESSAGE_FACTS_COLUMNS`. */
export type MessageFactsRow = Record<string, unknown>;

/**
 * What every message about an order needs, from a row with `MESSAGE_FACTS_COLUMNS`: its
 * recipient's address, its order and its event, and the names of the order's ticket types (one
 * not known yet is left out).
 */
export function messageFacts(row: MessageFactsRow, recipientId: number, orderId: number) {
  const recipient = unprefixed<RecipientFacts>(row, 'r', RECIPIENT_COLUMNS, 'user_id');
  const order = unprefixed<OrderFacts>(row, 'o', ORDER_FACT_COLUMNS, 'order_id');
  const event = unprefixed<EventFacts>(row, 'e', EVENT_COLUMNS, 'event_id');
  if (!recipient?.email) throw new FactsNotYetKnown(`no address known for user ${recipientId}`);
  if (!order) throw new FactsNotYetKnown(`order ${orderId} not known yet`);
  if (!event) throw new FactsNotYetKnown(`event ${order.event_id} not known yet`);
  const typeNames = new Map(Object.entries(row.type_names as Record<string, string>).map(([id, n]) => [Number(id), n]));
  return { recipient: { ...recipient, email: recipient.email }, order, event, typeNames };
}
