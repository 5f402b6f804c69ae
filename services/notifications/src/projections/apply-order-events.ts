import type { Knex } from 'knex';
import { orderFactsOf, prepared, unnestColumns, type NotificationKind, type OrderEvent } from '@ticketpro/shared';
import { ORDER_FACT_COLUMNS, type OrderFacts } from '../messages/message-facts';

/**
 * The message each order event sends the buyer. A paid order's message is its ticket delivery,
 * sent once ticketing has issued the tickets (`ticketing.order_tickets.issued`), so none here.
 */
const MESSAGE_OF: Partial<Record<OrderEvent['type'], NotificationKind>> = {
  'ticketpro.ordering.order.created': 'order_confirmation',
  'ticketpro.ordering.order.cancelled': 'order_cancelled',
  'ticketpro.ordering.order.expired': 'order_expired',
  'ticketpro.ordering.order.refunded': 'order_refunded',
};

/** What a batch tells of one order: the facts of its newest event. */
interface OrderRow extends Omit<OrderFacts, 'items' | 'expires_at'> {
  /** The items as JSON text. */
  items: string;
  as_of: string;
  /** `payment_method` and this: of the newest event that carried them (version 2 on), else null. */
  expires_at: string | null;
  /** That event's time: the row takes them only if it is newer than the row's own facts. */
  payment_as_of: string | null;
}

interface MessageRow {
  source: string;
  recipient_id: number;
  kind: NotificationKind;
  order_id: number;
}

/**
 * The batch's events folded as applying them one after another would: per order, an event's
 * facts replace those folded so far only when newer (a tie keeps the first), and the payment
 * facts are those of the newest such event that carried them; one message per distinct event
 * that calls for one, in the batch's order.
 */
function foldBatch(envelopes: OrderEvent[]): { orders: OrderRow[]; messages: MessageRow[] } {
  const orders = new Map<number, OrderRow>();
  const messages = new Map<string, MessageRow>();
  for (const envelope of envelopes) {
    const { data, time } = envelope;
    const known = orders.get(data.id);
    if (!known || Date.parse(known.as_of) < Date.parse(time)) {
      const withPayment = 'payment_method' in data ? data : undefined;
      orders.set(data.id, {
        ...orderFactsOf(envelope),
        items: JSON.stringify(data.items),
        payment_method: withPayment ? withPayment.payment_method : (known?.payment_method ?? null),
        expires_at: withPayment ? withPayment.expires_at : (known?.expires_at ?? null),
        payment_as_of: withPayment ? time : (known?.payment_as_of ?? null),
      });
    }
    const kind = MESSAGE_OF[envelope.type];
    if (kind && !messages.has(envelope.id)) {
      messages.set(envelope.id, { source: envelope.id, recipient_id: data.user_id, kind, order_id: data.id });
    }
  }
  return { orders: [...orders.values()], messages: [...messages.values()] };
}

/** The projection's columns, then the time of the payment facts (which the row does not keep). */
const PROJECTED_COLUMNS: (keyof OrderRow)[] = [...ORDER_FACT_COLUMNS, 'as_of'];
const ORDER_COLUMNS: (keyof OrderRow)[] = [...PROJECTED_COLUMNS, 'payment_as_of'];
const MESSAGE_COLUMNS: (keyof MessageRow)[] = ['source', 'recipient_id', 'kind', 'order_id'];

/** A payment fact taken from the batch only where the event that told it is newer than the row's facts. */
const fromNewerPayment = (column: string) =>
  `${column} = CASE WHEN (SELECT payment_as_of FROM told WHERE told.order_id = excluded.order_id) > orders.as_of
        THEN excluded.${column} ELSE orders.${column} END`;

/**
 * Every row of a batch in one statement, whatever its size: the orders (inserted, or merged where
 * the batch's facts are newer than the row's, the payment facts where the event that told them
 * is), and the messages, each once by its cause (a redelivered event queues none). The rows travel
 * as arrays (`unnest`): the statement's text is the same for every batch.
 */
const APPLY_BATCH = `
  WITH told AS (
    SELECT * FROM unnest(?::int[], ?::int[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[],
      ?::timestamptz[], ?::jsonb[], ?::timestamptz[], ?::timestamptz[])
      AS told(${ORDER_COLUMNS.join(', ')})
  ),
  projected AS (
    INSERT INTO orders (${PROJECTED_COLUMNS.join(', ')})
    SELECT ${PROJECTED_COLUMNS.join(', ')} FROM told
    ON CONFLICT (order_id) DO UPDATE SET
      ${['user_id', 'event_id', 'payment_status', 'total_price', 'currency', 'items', 'as_of']
        .map((column) => `${column} = excluded.${column}`)
        .join(',\n      ')},
      ${['payment_method', 'expires_at'].map(fromNewerPayment).join(',\n      ')}
    WHERE orders.as_of < excluded.as_of
  )
  INSERT INTO messages (${MESSAGE_COLUMNS.join(', ')})
  SELECT ${MESSAGE_COLUMNS.join(', ')}
  FROM unnest(?::text[], ?::int[], ?::text[], ?::int[]) WITH ORDINALITY AS due(${MESSAGE_COLUMNS.join(', ')}, arrival)
  ORDER BY arrival
  ON CONFLICT (source, recipient_id, kind) DO NOTHING`;

/**
 * Keeps the order projection in step (a row only takes facts newer than its own) and queues the
 * message each event calls for, once per event: the event's id is the message's cause. A batch
 * (the events one transaction of the feed claimed, in their order) is one statement.
 */
export async function applyOrderEvents(envelopes: OrderEvent[], trx: Knex.Transaction): Promise<void> {
  const { orders, messages } = foldBatch(envelopes);
  await prepared(
    trx.raw(APPLY_BATCH, [...unnestColumns(orders, ORDER_COLUMNS), ...unnestColumns(messages, MESSAGE_COLUMNS)]),
  );
}
