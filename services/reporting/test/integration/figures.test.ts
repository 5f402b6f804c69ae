import { parse } from 'csv-parse/sync';
import {
  call,
  toDecimalText,
  type ActionName,
  type AuthUser,
  type EventData,
  type EventEnvelope,
  type EventName,
  type PaymentMethod,
  type ParamsOf,
  type PaymentStatus,
} from '@ticketpro/shared';
import { eventually, malformed } from '@ticketpro/shared/testing';
import {
  envelopeAt as envelope,
  startReportingOverJetStream,
  type ReportingOverJetStream,
} from '../support/reporting-over-jetstream';

/**
 * Reporting's figures against a scripted history told over real JetStream: paid, pending,
 * cancelled, expired, refunded and partially refunded orders in USD and ZWG, each figure
 * computed by hand below.
 */
let reporting: ReportingOverJetStream;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.now();
const at = (msAgo: number) => new Date(now - msAgo).toISOString();

const ADMIN: AuthUser = { id: 1, role: 'admin' };
const ORGANIZER_A: AuthUser = { id: 2, role: 'organizer' };
const ORGANIZER_B: AuthUser = { id: 3, role: 'organizer' };
const BUYER_1: AuthUser = { id: 4, role: 'user' };
const BUYER_2 = 5;
const EVENT_A = 101;
const EVENT_B = 102;
const [A_USD, A_ZWG, B_USD] = [201, 202, 203];

const ask = <A extends ActionName>(action: A, params: ParamsOf<A>, user: AuthUser) =>
  call(reporting.node.broker, action, params, { meta: { user } });

/** Names a spreadsheet or a CSV reader could trip over. */
const TRICKY_NAME = { firstname: 'Jane, "JJ"', surname: 'Doe\nSecond line' };
const FORMULA_NAME = { firstname: '=HYPERLINK("http://x")', surname: '' };

type Line = [ticketTypeId: number, quantity: number, unitPrice: string];

function order(
  id: number,
  userId: number,
  eventId: number,
  currency: string,
  status: PaymentStatus,
  method: PaymentMethod,
  lines: Line[],
): EventData<'ordering.order.paid'> {
  const total = lines.reduce((cents, [, q, p]) => cents + q * Math.round(Number(p) * 100), 0);
  return {
    id,
    user_id: userId,
    event_id: eventId,
    total_price: toDecimalText(total / 100),
    currency,
    payment_status: status,
    payment_method: method,
    expires_at: null,
    items: lines.map(([ticket_type_id, quantity, unit_price]) => ({
      ticket_type_id,
      quantity,
      unit_price: toDecimalText(Number(unit_price)),
    })),
  };
}

/** The order's life: created, then each later status at its time. */
function orderHistory(facts: EventData<'ordering.order.paid'>, steps: [PaymentStatus, number][]): EventEnvelope[] {
  const created = steps[0][1] + HOUR;
  const out: EventEnvelope[] = [
    envelope('ordering.order.created', { ...facts, payment_status: 'pending' }, at(created)),
  ];
  const NAMES: Partial<Record<PaymentStatus, EventName>> = {
    completed: 'ordering.order.paid',
    cancelled: 'ordering.order.cancelled',
    expired: 'ordering.order.expired',
    refunded: 'ordering.order.refunded',
  };
  for (const [status, ago] of steps) {
    out.push(envelope(NAMES[status] as 'ordering.order.paid', { ...facts, payment_status: status }, at(ago)));
  }
  return out;
}

const partialRefund = (
  facts: EventData<'ordering.order.paid'>,
  refundId: number,
  amount: string,
  ticketIds: number[],
  ago: number,
) =>
  envelope(
    'ordering.order.partially_refunded',
    {
      ...facts,
      payment_status: 'partially_refunded',
      refund_id: refundId,
      refund_amount: toDecimalText(Number(amount)),
      ticket_ids: ticketIds,
    },
    at(ago),
  );

/** Tickets of a paid order, ids from `firstId`, one per unit. */
function issued(facts: EventData<'ordering.order.paid'>, firstId: number, ago: number): EventEnvelope[] {
  const tickets = facts.items.flatMap((item) =>
    Array.from({ length: item.quantity }, () => ({ ticket_type_id: item.ticket_type_id })),
  );
  const ticketFacts = tickets.map((t, i) => ({
    id: firstId + i,
    order_id: facts.id,
    ticket_type_id: t.ticket_type_id,
    event_id: facts.event_id,
    status: 'valid',
    validated_by: null,
  }));
  return [
    envelope(
      'ticketing.order_tickets.issued',
      {
        order_id: facts.id,
        user_id: facts.user_id,
        event_id: facts.event_id,
        tickets: ticketFacts.map((t, i) => ({
          id: t.id,
          ticket_type_id: t.ticket_type_id,
          seat_number: i === 0 ? 'A1' : null,
          qr_code: `code-${t.id}`,
        })),
      },
      at(ago),
    ),
    ...ticketFacts.map((t) => envelope('ticketing.ticket.issued', t, at(ago))),
  ];
}

const ticketEvent = (
  name: 'ticketing.ticket.checked_in' | 'ticketing.ticket.checked_out' | 'ticketing.ticket.voided',
  id: number,
  orderId: number,
  ticketTypeId: number,
  eventId: number,
  status: string,
  ago: number,
) =>
  envelope(
    name,
    { id, order_id: orderId, ticket_type_id: ticketTypeId, event_id: eventId, status, validated_by: null },
    at(ago),
  );

const user = (
  id: number,
  names: { firstname: string; surname: string },
  role: 'user' | 'organizer' | 'admin',
  ago: number,
) =>
  envelope('identity.user.registered', { id, ...names, role, active: true, email: `user${id}@example.com` }, at(ago));

// The history. Orders (all times before now):
const o1 = order(1, BUYER_1.id, EVENT_A, 'USD', 'completed', 'credit_card', [[A_USD, 2, '25.00']]);
const o2 = order(2, BUYER_2, EVENT_A, 'USD', 'completed', 'cash', [[A_USD, 3, '25.00']]);
const o3 = order(3, BUYER_1.id, EVENT_A, 'ZWG', 'completed', 'ecocash', [[A_ZWG, 1, '1350.50']]);
const o4 = order(4, BUYER_1.id, EVENT_A, 'USD', 'pending', 'credit_card', [[A_USD, 1, '25.00']]);
const o5 = order(5, BUYER_2, EVENT_A, 'USD', 'cancelled', 'credit_card', [[A_USD, 1, '25.00']]);
const o6 = order(6, BUYER_2, EVENT_A, 'ZWG', 'expired', 'ecocash', [[A_ZWG, 2, '1350.50']]);
const o7 = order(7, BUYER_2, EVENT_B, 'USD', 'completed', 'stripe', [[B_USD, 4, '10.10']]);
const o8 = order(8, BUYER_1.id, EVENT_B, 'USD', 'completed', 'paypal', [[B_USD, 2, '10.10']]);
const o9 = order(9, BUYER_2, EVENT_A, 'USD', 'completed', 'cash', [[A_USD, 2, '25.00']]);
const o10 = order(10, BUYER_1.id, EVENT_B, 'USD', 'completed', 'debit_card', [[B_USD, 3, '10.10']]);

const HISTORY: EventEnvelope[] = [
  user(ADMIN.id, { firstname: 'Ada', surname: 'Admin' }, 'admin', 2 * HOUR),
  user(ORGANIZER_A.id, { firstname: 'Olga', surname: 'A' }, 'organizer', 2 * HOUR),
  user(ORGANIZER_B.id, { firstname: 'Otto', surname: 'B' }, 'organizer', 2 * HOUR),
  user(BUYER_1.id, TRICKY_NAME, 'user', 2 * HOUR),
  user(BUYER_2, FORMULA_NAME, 'user', 2 * HOUR),
  // An account registered long ago and deactivated since; one deleted.
  user(6, { firstname: 'Old', surname: 'Timer' }, 'user', 90 * DAY),
  envelope(
    'identity.user.updated',
    {
      id: 6,
      firstname: 'Old',
      surname: 'Timer',
      role: 'user',
      active: false,
      token_version: 1,
      email: 'user6@example.com',
    },
    at(HOUR),
  ),
  user(7, { firstname: 'Gone', surname: 'Soon' }, 'user', 2 * HOUR),
  envelope('identity.user.deleted', { id: 7 }, at(HOUR)),

  envelope(
    'catalog.event.created',
    // 120 seats across its types' 150 units: the fewer is its capacity.
    {
      id: EVENT_A,
      event_name: 'Jazz, "live"',
      organizer_id: ORGANIZER_A.id,
      location: 'Harare',
      date: at(-30 * DAY),
      capacity: 120,
    },
    at(60 * DAY),
  ),
  envelope(
    'catalog.event.created',
    {
      id: EVENT_B,
      event_name: 'Bulawayo Blues',
      organizer_id: ORGANIZER_B.id,
      location: 'Bulawayo',
      date: at(-20 * DAY),
      capacity: null,
    },
    at(60 * DAY),
  ),
  envelope(
    'catalog.ticket_type.created',
    { id: A_USD, event_id: EVENT_A, name: 'General', price: toDecimalText(25), currency: 'USD', quantity: 100 },
    at(60 * DAY),
  ),
  envelope(
    'catalog.ticket_type.created',
    { id: A_ZWG, event_id: EVENT_A, name: 'Local', price: toDecimalText(1350.5), currency: 'ZWG', quantity: 50 },
    at(60 * DAY),
  ),
  envelope(
    'catalog.ticket_type.created',
    { id: B_USD, event_id: EVENT_B, name: 'Standing', price: toDecimalText(10.1), currency: 'USD', quantity: 10 },
    at(60 * DAY),
  ),

  ...orderHistory(o1, [['completed', 2 * DAY]]),
  ...issued(o1, 1001, 2 * DAY),
  ticketEvent('ticketing.ticket.checked_in', 1001, 1, A_USD, EVENT_A, 'used', 3 * HOUR),
  // Checked in, then out again: not inside.
  ticketEvent('ticketing.ticket.checked_in', 1002, 1, A_USD, EVENT_A, 'used', 3 * HOUR),
  ticketEvent('ticketing.ticket.checked_out', 1002, 1, A_USD, EVENT_A, 'valid', 2 * HOUR),

  ...orderHistory(o2, [['completed', DAY]]),
  ...issued(o2, 2001, DAY),
  ticketEvent('ticketing.ticket.voided', 2003, 2, A_USD, EVENT_A, 'void', 20 * HOUR),
  // Given by the second buyer to the first.
  envelope(
    'ticketing.ticket.transferred',
    {
      transfer_id: 1,
      ticket_id: 2002,
      order_id: 2,
      ticket_type_id: A_USD,
      event_id: EVENT_A,
      seat_number: null,
      from_user_id: BUYER_2,
      to_user_id: BUYER_1.id,
      qr_code: 'code-2002-new',
      by_admin: false,
    },
    at(10 * HOUR),
  ),
  partialRefund(o2, 501, '25.00', [2003], 20 * HOUR),

  ...orderHistory(o3, [['completed', DAY]]),
  ...issued(o3, 3001, DAY),
  envelope('ordering.order.created', o4, at(5 * HOUR)),
  ...orderHistory(o5, [['cancelled', 5 * HOUR]]),
  ...orderHistory(o6, [['expired', 5 * HOUR]]),
  ...orderHistory(o7, [
    ['completed', 3 * DAY],
    ['refunded', 2 * DAY],
  ]),
  ...orderHistory(o8, [['completed', 40 * DAY]]),
  ...orderHistory(o9, [['completed', DAY]]),
  partialRefund(o9, 502, '25.00', [9001], 12 * HOUR),
  envelope('ordering.order.refunded', { ...o9, payment_status: 'refunded' }, at(11 * HOUR)),
  ...orderHistory(o10, [['completed', 30 * 60_000]]),
];

beforeAll(async () => {
  reporting = await startReportingOverJetStream('reporting_figures');
  for (const e of HISTORY) await reporting.publisher.publish(e);
  await eventually(async () => {
    const row = await reporting.node.db.reporting('processed_events').count({ count: '*' }).first();
    return Number(row?.count) === HISTORY.length;
  }, 30_000);
});

afterAll(async () => {
  await reporting?.stop();
});

describe('the dashboard', () => {
  it('counts paid money only, less refunds, per currency, equal to the hand-computed figures', async () => {
    const dashboard = await ask('reporting.dashboard.get', { days: 30 }, ADMIN);
    // In the period: o1 50.00, o2 75.00 - 25.00, o10 30.30 in USD (o7 and o9 refunded in full, o8 too old);
    // o3 1350.50 in ZWG. o4 pending, o5 cancelled, o6 expired count nowhere.
    expect(dashboard.sales_stats).toMatchObject({
      total_sales: [
        { currency: 'USD', amount: 130.3 },
        { currency: 'ZWG', amount: 1350.5 },
      ],
      total_orders: 4,
      // o1 2, o2 3 - 1, o10 3, o3 1.
      total_tickets_sold: 8,
      // 130.30 / 3 = 43.4333…
      average_order_value: [
        { currency: 'USD', amount: 43.43 },
        { currency: 'ZWG', amount: 1350.5 },
      ],
    });
    expect(Date.parse(dashboard.sales_stats.period_end) - Date.parse(dashboard.sales_stats.period_start)).toBe(
      30 * DAY,
    );

    const monthStart = new Date(now);
    monthStart.setUTCDate(1);
    monthStart.setUTCHours(0, 0, 0, 0);
    expect(dashboard.user_activity).toEqual({
      total_users: 6,
      active_users: 5,
      // Every account but the old one registered two hours ago; the deleted one does not count.
      new_users_this_month: now - 2 * HOUR >= monthStart.getTime() ? 5 : 0,
      users_with_orders: 2,
    });

    expect(dashboard.top_events).toEqual([
      {
        event_id: EVENT_A,
        event_name: 'Jazz, "live"',
        total_orders: 3,
        tickets_sold: 5,
        revenue: [
          { currency: 'USD', amount: 100 },
          { currency: 'ZWG', amount: 1350.5 },
        ],
      },
      {
        event_id: EVENT_B,
        event_name: 'Bulawayo Blues',
        total_orders: 1,
        tickets_sold: 3,
        revenue: [{ currency: 'USD', amount: 30.3 }],
      },
    ]);
    expect(dashboard.revenue_by_event).toEqual([
      { event_id: EVENT_A, event_name: 'Jazz, "live"', currency: 'USD', revenue: 100, percentage: 76.75 },
      { event_id: EVENT_B, event_name: 'Bulawayo Blues', currency: 'USD', revenue: 30.3, percentage: 23.25 },
      { event_id: EVENT_A, event_name: 'Jazz, "live"', currency: 'ZWG', revenue: 1350.5, percentage: 100 },
    ]);
    expect(dashboard.payment_methods).toEqual([
      { payment_method: 'cash', currency: 'USD', count: 1, total_amount: 50, percentage: 38.37 },
      { payment_method: 'credit_card', currency: 'USD', count: 1, total_amount: 50, percentage: 38.37 },
      { payment_method: 'debit_card', currency: 'USD', count: 1, total_amount: 30.3, percentage: 23.25 },
      { payment_method: 'ecocash', currency: 'ZWG', count: 1, total_amount: 1350.5, percentage: 100 },
    ]);
    expect(dashboard.totals).toEqual({
      // The period's, and o8's 20.20 from 40 days ago.
      revenue: [
        { currency: 'USD', amount: 150.5 },
        { currency: 'ZWG', amount: 1350.5 },
      ],
      // o2 25.00, o7 40.40, o9 25.00 + 25.00.
      refunds: [{ currency: 'USD', amount: 115.4 }],
      total_orders: 5,
      total_tickets_sold: 10,
    });
    // The newest event of the history: o10 paid half an hour ago.
    expect(dashboard.as_of).toBe(at(30 * 60_000));
  });

  it('is for admins only', async () => {
    for (const caller of [ORGANIZER_A, BUYER_1]) {
      await expect(ask('reporting.dashboard.get', { days: 30 }, caller)).rejects.toMatchObject({ code: 403 });
    }
  });

  it('refuses a period out of range or an unknown field (422)', async () => {
    for (const params of [{ days: 0 }, { days: 1e20 }, { days: 30, revenue: 1 }]) {
      await expect(ask('reporting.dashboard.get', malformed(params), ADMIN)).rejects.toMatchObject({ code: 422 });
    }
  });
});

describe('sales analytics', () => {
  it("gives an admin every event's sales per currency and per day", async () => {
    const sales = await ask('reporting.sales.get', { days: 30 }, ADMIN);
    expect(sales.by_currency).toEqual([
      // Refunds in the period: o2 25.00, o7 40.40, o9 25.00 + 25.00.
      { currency: 'USD', revenue: 130.3, orders: 3, tickets_sold: 7, average_order_value: 43.43, refunds: 115.4 },
      { currency: 'ZWG', revenue: 1350.5, orders: 1, tickets_sold: 1, average_order_value: 1350.5, refunds: 0 },
    ]);
    const day = (ago: number) => at(ago).slice(0, 10);
    const usd = sales.daily.filter((d: { currency: string }) => d.currency === 'USD');
    const sum = (key: 'revenue' | 'refunds') => usd.reduce((total, d) => total + d[key] * 100, 0) / 100;
    expect(sum('revenue')).toBe(130.3);
    expect(sum('refunds')).toBe(115.4);
    expect(usd.map((d: { date: string }) => d.date)).toEqual([...usd.map((d: { date: string }) => d.date)].sort());
    expect(usd.find((d: { date: string }) => d.date === day(3 * DAY))).toMatchObject({ revenue: 0, orders: 0 });
  });

  it("gives an organizer their own events' sales only", async () => {
    const sales = await ask('reporting.sales.get', { days: 30 }, ORGANIZER_B);
    expect(sales.by_currency).toEqual([
      { currency: 'USD', revenue: 30.3, orders: 1, tickets_sold: 3, average_order_value: 30.3, refunds: 40.4 },
    ]);
  });

  it('refuses a buyer (403)', async () => {
    await expect(ask('reporting.sales.get', { days: 7 }, BUYER_1)).rejects.toMatchObject({ code: 403 });
  });
});

describe('event analytics', () => {
  const eventA = {
    event_id: EVENT_A,
    organizer_id: ORGANIZER_A.id,
    total_revenue: [
      { currency: 'USD', amount: 100 },
      { currency: 'ZWG', amount: 1350.5 },
    ],
    total_orders: 3,
    total_tickets_sold: 5,
    capacity: 120,
    available_tickets: 115,
    capacity_percentage: 4.17,
    checked_in: 1,
    // o2's partial refund, o9's partial refund and its final one.
    refunds: { count: 3, amounts: [{ currency: 'USD', amount: 75 }] },
  };
  const eventB = {
    event_id: EVENT_B,
    total_revenue: [{ currency: 'USD', amount: 50.5 }],
    total_orders: 2,
    total_tickets_sold: 5,
    capacity: 10,
    available_tickets: 5,
    capacity_percentage: 50,
    checked_in: 0,
    refunds: { count: 1, amounts: [{ currency: 'USD', amount: 40.4 }] },
  };

  it('lists every event for an admin, with its figures', async () => {
    const page = await ask('reporting.events.list', { skip: 0, limit: 20 }, ADMIN);
    expect(page.total).toBe(2);
    expect(page.items).toEqual([expect.objectContaining(eventA), expect.objectContaining(eventB)]);
  });

  it("lists an organizer's own events only, and answers another's event 404", async () => {
    const page = await ask('reporting.events.list', { skip: 0, limit: 20 }, ORGANIZER_A);
    expect(page.items).toEqual([expect.objectContaining(eventA)]);
    await expect(ask('reporting.events.get', { id: EVENT_B }, ORGANIZER_A)).rejects.toMatchObject({ code: 404 });
    await expect(ask('reporting.events.get', { id: 999 }, ADMIN)).rejects.toMatchObject({ code: 404 });
  });

  it("gives one event's figures with its sales per day", async () => {
    const detail = await ask('reporting.events.get', { id: EVENT_B }, ORGANIZER_B);
    expect(detail).toMatchObject(eventB);
    const days = detail.sales_per_day as { revenue: number; refunds: number }[];
    expect(days.reduce((sum, d) => sum + d.revenue * 100, 0) / 100).toBe(50.5);
    expect(days.reduce((sum, d) => sum + d.refunds * 100, 0) / 100).toBe(40.4);
  });
});

describe('CSV exports', () => {
  const csvOf = async (
    action: 'reporting.exports.orders' | 'reporting.exports.attendees',
    caller: AuthUser,
    limit = 1000,
  ) => {
    let text = '';
    for (let after: number | null = 0; after !== null;) {
      const slice: { body: string; next_after: number | null; as_of: string } = await ask(
        action,
        { id: EVENT_A, after, limit },
        caller,
      );
      // Each slice says up to when the read model was current: the newest event of the history.
      expect(slice.as_of).toBe(at(30 * 60_000));
      text += slice.body;
      after = slice.next_after;
    }
    return parse<Record<string, string>>(text, { columns: true });
  };

  it("exports the event's attendees, names round-tripping and formulas inert, slice by slice", async () => {
    const rows = await csvOf('reporting.exports.attendees', ORGANIZER_A, 2);
    expect(rows.map((r) => Number(r.ticket_id))).toEqual([1001, 1002, 2001, 2002, 2003, 3001]);
    expect(rows[0]).toEqual({
      ticket_id: '1001',
      order_id: '1',
      ticket_type: 'General',
      seat_number: 'A1',
      holder_name: 'Jane, "JJ" Doe\nSecond line',
      holder_email: 'user4@example.com',
      status: 'used',
      checked_in_at: at(3 * HOUR),
    });
    expect(rows[1]).toMatchObject({ status: 'valid', checked_in_at: '' });
    // Shown as text by a spreadsheet, never run.
    expect(rows[2].holder_name).toBe(`'=HYPERLINK("http://x")`);
    // Transferred: its new holder.
    expect(rows[3]).toMatchObject({ ticket_id: '2002', holder_name: 'Jane, "JJ" Doe\nSecond line' });
    expect(rows[4]).toMatchObject({ ticket_id: '2003', status: 'void' });
    expect(rows[5]).toMatchObject({ ticket_type: 'Local', holder_name: 'Jane, "JJ" Doe\nSecond line' });
  });

  it("exports the event's orders with their money and refunds", async () => {
    const rows = await csvOf('reporting.exports.orders', ADMIN);
    expect(rows.map((r) => [r.order_id, r.payment_status, r.currency, r.total_price, r.refunded])).toEqual([
      ['1', 'completed', 'USD', '50.00', '0.00'],
      ['2', 'partially_refunded', 'USD', '75.00', '25.00'],
      ['3', 'completed', 'ZWG', '1350.50', '0.00'],
      ['4', 'pending', 'USD', '25.00', '0.00'],
      ['5', 'cancelled', 'USD', '25.00', '0.00'],
      ['6', 'expired', 'ZWG', '2701.00', '0.00'],
      ['9', 'refunded', 'USD', '50.00', '50.00'],
    ]);
    expect(rows[1]).toMatchObject({ buyer_name: `'=HYPERLINK("http://x")`, payment_method: 'cash', tickets: '3' });
  });

  it("answers another organizer's or an unknown event 404, and a buyer 403", async () => {
    const firstSlice = { after: 0, limit: 1000 };
    await expect(ask('reporting.exports.orders', { id: EVENT_A, ...firstSlice }, ORGANIZER_B)).rejects.toMatchObject({
      code: 404,
    });
    await expect(ask('reporting.exports.attendees', { id: 999, ...firstSlice }, ADMIN)).rejects.toMatchObject({
      code: 404,
    });
    await expect(ask('reporting.exports.attendees', { id: EVENT_A, ...firstSlice }, BUYER_1)).rejects.toMatchObject({
      code: 403,
    });
  });
});
