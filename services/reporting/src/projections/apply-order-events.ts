import type { Knex } from 'knex';
import { ORDER_EVENTS, orderFactsOf, prepared, unnestColumns, type AcceptedEnvelope } from '@ticketpro/shared';
import { PAID_STATUSES } from '../models/constants';
import { advanceClockStatement } from './clock';

/** Ordering's events the order projection is fed from, in the versions it reads: partial refunds too. */
export const REPORTED_ORDER_EVENTS = { ...ORDER_EVENTS, 'ordering.order.partially_refunded': [1] } as const;
export type ReportedOrderEvent = AcceptedEnvelope<typeof REPORTED_ORDER_EVENTS>;

/** What a batch tells of one order: its newest facts and the instants its events date. */
interface OrderRow {
  order_id: number;
  user_id: number;
  event_id: number;
  payment_status: string;
  total_price: string;
  currency: string;
  /** Null when no event that told the newest facts carried it (version 1): the row's stays. */
  payment_method: string | null;
  units: number;
  /** The `created` event's time; null: the row's stays. */
  created_at: string | null;
  /** The earliest time an event told it paid; null: the row's stays. */
  paid_at: string | null;
  /** The `refunded` event's time; null: the row's stays. */
  refunded_at: string | null;
  as_of: string;
}

interface PartialRefundRow {
  refund_id: number;
  order_id: number;
  amount: string;
  tickets: number;
  refunded_at: string;
}

const PAID: readonly string[] = PAID_STATUSES;

/**
 * The batch's events folded into one row per order, as applying them one after another would
 * leave it: the newest facts win (a tie keeps the first), `created_at` and `refunded_at` are
 * their event's time, `paid_at` the earliest paid one. Partial refunds once each by ledger id.
 */
function foldBatch(envelopes: ReportedOrderEvent[]): { orders: OrderRow[]; partialRefunds: PartialRefundRow[] } {
  const orders = new Map<number, OrderRow>();
  const partialRefunds = new Map<number, PartialRefundRow>();
  for (const envelope of envelopes) {
    const { data, time } = envelope;
    const told: OrderRow = {
      ...orderFactsOf(envelope),
      payment_method: 'payment_method' in data ? data.payment_method : null,
      units: data.items.reduce((sum, item) => sum + item.quantity, 0),
      created_at: null,
      paid_at: null,
      refunded_at: null,
    };
    const known = orders.get(data.id);
    const row: OrderRow = !known
      ? told
      : Date.parse(known.as_of) < Date.parse(time)
        ? { ...told, payment_method: told.payment_method ?? known.payment_method, ...instantsOf(known) }
        : known;
    if (envelope.type === 'ticketpro.ordering.order.created') row.created_at = time;
    if (envelope.type === 'ticketpro.ordering.order.refunded') row.refunded_at = time;
    if (PAID.includes(data.payment_status) && (row.paid_at === null || Date.parse(time) < Date.parse(row.paid_at))) {
      row.paid_at = time;
    }
    if (
      envelope.type === 'ticketpro.ordering.order.partially_refunded' &&
      !partialRefunds.has(envelope.data.refund_id)
    ) {
      const { refund_id, refund_amount, ticket_ids } = envelope.data;
      partialRefunds.set(refund_id, {
        refund_id,
        order_id: data.id,
        amount: refund_amount,
        tickets: ticket_ids.length,
        refunded_at: time,
      });
    }
    orders.set(data.id, row);
  }
  return { orders: [...orders.values()], partialRefunds: [...partialRefunds.values()] };
}

function instantsOf({ created_at, paid_at, refunded_at }: OrderRow) {
  return { created_at, paid_at, refunded_at };
}

const ORDER_COLUMNS: (keyof OrderRow)[] = [
  'order_id',
  'user_id',
  'event_id',
  'payment_status',
  'total_price',
  'currency',
  'payment_method',
  'units',
  'created_at',
  'paid_at',
  'refunded_at',
  'as_of',
];
const REFUND_COLUMNS: (keyof PartialRefundRow)[] = ['refund_id', 'order_id', 'amount', 'tickets', 'refunded_at'];

/**
 * The facts a row takes from `excluded` only where they are newer than its own (`as_of`): as
 * `keepNewerFacts` does for one event; the instants are kept or moved whatever the facts' age.
 */
const newer = (column: string) =>
  `${column} = CASE WHEN orders.as_of < excluded.as_of THEN excluded.${column} ELSE orders.${column} END`;

/**
 * Every row of a batch in one statement, whatever its size: the orders (one row each, inserted or
 * merged), the partial refunds, and the read model's clock moved to the batch's latest event, so
 * the clock never runs ahead of the figures. The rows travel as arrays (`unnest`): the statement's
 * text is the same for every batch.
 */
const APPLY_BATCH = `
  WITH clock AS (?),
  refunds AS (
    INSERT INTO partial_refunds (refund_id, order_id, amount, tickets, refunded_at)
    SELECT * FROM unnest(?::int[], ?::int[], ?::numeric[], ?::int[], ?::timestamptz[])
    ON CONFLICT (refund_id) DO NOTHING
  )
  INSERT INTO orders (${ORDER_COLUMNS.join(', ')})
  SELECT * FROM unnest(?::int[], ?::int[], ?::int[], ?::text[], ?::numeric[], ?::text[], ?::text[], ?::int[],
    ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[])
  ON CONFLICT (order_id) DO UPDATE SET
    ${['user_id', 'event_id', 'payment_status', 'total_price', 'currency', 'units'].map(newer).join(',\n    ')},
    payment_method = CASE WHEN orders.as_of < excluded.as_of
      THEN coalesce(excluded.payment_method, orders.payment_method) ELSE orders.payment_method END,
    created_at = coalesce(excluded.created_at, orders.created_at),
    paid_at = least(orders.paid_at, excluded.paid_at),
    refunded_at = coalesce(excluded.refunded_at, orders.refunded_at),
    as_of = greatest(orders.as_of, excluded.as_of)`;

/**
 * Keeps each order as its newest event told it (a row only takes facts newer than its own), and
 * the instants the figures are dated by, whichever order the events arrive in: created (the
 * `created` event's time), paid (the earliest event telling it paid), refunded in full (the
 * `refunded` event's time). A partial refund is kept once by its ledger id. A batch (the events
 * one transaction of the feed claimed, in their order) is one statement, the clock's move with it.
 */
export async function applyOrderEvents(envelopes: ReportedOrderEvent[], trx: Knex.Transaction): Promise<void> {
  const { orders, partialRefunds } = foldBatch(envelopes);
  await prepared(
    trx.raw(APPLY_BATCH, [
      advanceClockStatement(trx, envelopes),
      ...unnestColumns(partialRefunds, REFUND_COLUMNS),
      ...unnestColumns(orders, ORDER_COLUMNS),
    ]),
  );
}
