import { parse } from 'csv-parse/sync';
import { expectProblem, recordingApi } from '@ticketpro/shared/testing';
import { startCluster, type Cluster } from '../support/cluster';
import { buyTickets, createEvent, createTicketType } from '../support/sales';
import { waitForTickets } from '../support/tickets';
import { login, register, type Registered } from '../support/users';

jest.setTimeout(300_000);

/**
 * Reporting as deployed: every service its own process over NATS, a scripted history of sales
 * through the gateway (paid, pending, cancelled, refunded in part and in full, in USD and ZWG),
 * and the dashboard, analytics and exports read back through the gateway with their rules.
 */
const ADMIN = { email: 'admin@reporting.test', password: 'Admin-Passw0rd-Strong' };
/** Sales placed at once to measure how far behind the read model falls. */
const LOAD_ORDERS = 24;
const LOAD_WORKERS = 6;
const FORMULA = '=HYPERLINK("http://x")';
/** Fields that tell the time of the answer, not the figures. */
const CLOCK_FIELDS = new Set(['as_of', 'period_start', 'period_end']);

let cluster: Cluster;
let admin: string;
let organizer: Registered;
let rival: Registered;
let formulaBuyer: Registered;
let quotedBuyer: Registered;
let event: { id: number };
let rivalEvent: { id: number };
let usd: { id: number };
let zwg: { id: number };
/** When the last step of the history was answered: the read model must reach it. */
let historyDone: number;

const { api, answered } = recordingApi(() => cluster.api);

async function placeOrder(buyer: Registered, ticketTypeId: number, quantity: number): Promise<number> {
  const res = await api('POST', '/api/v1/orders', {
    token: buyer.access,
    body: { event_id: event.id, payment_method: 'ecocash', items: [{ ticket_type_id: ticketTypeId, quantity }] },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Polls `path` as `token` until `accept` holds of its answer's body. */
async function until(path: string, token: string, accept: (body: any) => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await api('GET', path, { token });
    if (res.status === 200 && accept(res.body)) return res.body;
    last = res.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${path} did not settle within ${timeoutMs} ms; last answer ${JSON.stringify(last).slice(0, 800)}`);
}

beforeAll(async () => {
  cluster = await startCluster('e2e_reporting', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  admin = (await login(cluster.api, ADMIN.email, ADMIN.password)).access;
  organizer = await register(cluster.api, { firstname: 'Rudo', surname: 'Chari', role: 'organizer' });
  rival = await register(cluster.api, { firstname: 'Tafadzwa', surname: 'Ncube', role: 'organizer' });
  formulaBuyer = await register(cluster.api, { firstname: FORMULA, surname: 'Formula' });
  quotedBuyer = await register(cluster.api, { firstname: 'Jane, "JJ"', surname: "O'Neil, Jr." });
  event = await createEvent(cluster.api, organizer.access);
  rivalEvent = await createEvent(cluster.api, rival.access);
  usd = await createTicketType(cluster.api, organizer.access, event.id, { price: 25, quantity: 100 });
  zwg = await createTicketType(cluster.api, organizer.access, event.id, {
    name: 'Local admission',
    price: 1350.5,
    currency: 'ZWG',
    quantity: 50,
  });
  await createTicketType(cluster.api, rival.access, rivalEvent.id, { price: 10, quantity: 10 });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('a scripted history read back', () => {
  it('records the history: paid, pending, cancelled, refunded in part and in full, checked in', async () => {
    // Paid: 2 x 25.00 USD; 1 x 1350.50 ZWG; 3 x 25.00 USD, one ticket refunded; 1 x 25.00 refunded in full.
    const paid = await buyTickets(api, formulaBuyer.access, event.id, usd.id, 2);
    await buyTickets(api, quotedBuyer.access, event.id, zwg.id, 1);
    const partly = await buyTickets(api, quotedBuyer.access, event.id, usd.id, 3);
    const whole = await buyTickets(api, formulaBuyer.access, event.id, usd.id, 1);
    // Pending, and cancelled: never counted.
    await placeOrder(quotedBuyer, usd.id, 1);
    const cancelled = await placeOrder(formulaBuyer, usd.id, 4);
    expect((await api('DELETE', `/api/v1/orders/${cancelled}`, { token: formulaBuyer.access })).status).toBe(200);

    const refund = (orderId: number, body: object) =>
      api('POST', `/api/v1/orders/${orderId}/refund`, { token: organizer.access, body });
    expect((await refund(partly.orderId, { ticket_ids: [partly.tickets[2].id] })).body).toMatchObject({
      payment_status: 'partially_refunded',
    });
    expect((await refund(whole.orderId, {})).body).toMatchObject({ payment_status: 'refunded' });
    await waitForTickets(api, quotedBuyer.access, partly.orderId, (t) => t.some((x) => x.status === 'void'));

    const checkin = await api('POST', '/api/v1/validation/checkin', {
      token: organizer.access,
      body: { qr_code: paid.tickets[0].qr_code },
    });
    expect(checkin.status).toBe(200);
    historyDone = Date.now();
  });

  it('shows the admin the paid money only, per currency, once the read model has caught up', async () => {
    const dashboard = await until(
      '/api/v1/admin/dashboard?days=30',
      admin,
      (d) =>
        Date.parse(d.as_of) >= historyDone - 5_000 &&
        d.totals.refunds.length === 1 &&
        d.totals.refunds[0].amount === 50,
    );
    // USD: 2 x 25.00 + (3 x 25.00 - 25.00); the order refunded in full keeps nothing. ZWG: 1350.50.
    expect(dashboard.sales_stats).toMatchObject({
      total_sales: [
        { currency: 'USD', amount: 100 },
        { currency: 'ZWG', amount: 1350.5 },
      ],
      total_orders: 3,
      total_tickets_sold: 5,
      average_order_value: [
        { currency: 'USD', amount: 50 },
        { currency: 'ZWG', amount: 1350.5 },
      ],
    });
    expect(dashboard.payment_methods).toEqual([
      { payment_method: 'ecocash', currency: 'USD', count: 2, total_amount: 100, percentage: 100 },
      { payment_method: 'ecocash', currency: 'ZWG', count: 1, total_amount: 1350.5, percentage: 100 },
    ]);
    expect(dashboard.revenue_by_event).toEqual([
      expect.objectContaining({ event_id: event.id, currency: 'USD', revenue: 100, percentage: 100 }),
      expect.objectContaining({ event_id: event.id, currency: 'ZWG', revenue: 1350.5, percentage: 100 }),
    ]);
    expect(dashboard.top_events).toEqual([expect.objectContaining({ event_id: event.id, tickets_sold: 5 })]);
    expect(dashboard.totals.refunds).toEqual([{ currency: 'USD', amount: 50 }]);
    // The admin, two organizers and two buyers.
    expect(dashboard.user_activity).toMatchObject({ total_users: 5, active_users: 5, users_with_orders: 2 });
  });

  it("gives the organizer their event's figures, the rival none of them", async () => {
    const figures = await until(
      `/api/v1/admin/analytics/events/${event.id}`,
      organizer.access,
      (e) => e.checked_in === 1,
    );
    expect(figures).toMatchObject({
      event_id: event.id,
      total_revenue: [
        { currency: 'USD', amount: 100 },
        { currency: 'ZWG', amount: 1350.5 },
      ],
      total_orders: 3,
      total_tickets_sold: 5,
      capacity: 150,
      available_tickets: 145,
      capacity_percentage: 3.33,
      checked_in: 1,
      refunds: { count: 2, amounts: [{ currency: 'USD', amount: 50 }] },
    });
    expect(figures.sales_per_day.length).toBeGreaterThan(0);

    expectProblem(await api('GET', `/api/v1/admin/analytics/events/${event.id}`, { token: rival.access }), 404);
    const mine = await api('GET', '/api/v1/admin/analytics/events', { token: rival.access });
    expect(mine.body.items.map((e: { event_id: number }) => e.event_id)).toEqual([rivalEvent.id]);
    const sales = await api('GET', '/api/v1/admin/analytics/sales?days=7', { token: rival.access });
    expect(sales.body.by_currency).toEqual([]);
    const own = await api('GET', '/api/v1/admin/analytics/sales?days=7', { token: organizer.access });
    expect(own.body.by_currency).toEqual([
      { currency: 'USD', revenue: 100, orders: 2, tickets_sold: 4, average_order_value: 50, refunds: 50 },
      { currency: 'ZWG', revenue: 1350.5, orders: 1, tickets_sold: 1, average_order_value: 1350.5, refunds: 0 },
    ]);
  });

  it('keeps the dashboard to admins, and every route to callers with a token', async () => {
    expectProblem(await api('GET', '/api/v1/admin/dashboard', { token: organizer.access }), 403);
    expectProblem(await api('GET', '/api/v1/admin/dashboard', { token: formulaBuyer.access }), 403);
    expectProblem(await api('GET', '/api/v1/admin/analytics/sales', { token: formulaBuyer.access }), 403);
    for (const path of ['/api/v1/admin/dashboard', `/api/v1/events/${event.id}/attendees.csv`]) {
      expectProblem(await api('GET', path), 401);
    }
  });

  it('refuses unknown fields, NUL bytes and numbers out of range (422)', async () => {
    for (const path of [
      '/api/v1/admin/dashboard?days=0',
      '/api/v1/admin/dashboard?days=1e20',
      '/api/v1/admin/dashboard?days=30&currency=USD',
      '/api/v1/admin/analytics/sales?days=%00',
      '/api/v1/admin/analytics/events?limit=1000',
      '/api/v1/admin/analytics/events/99999999999',
      `/api/v1/events/${event.id}%00/orders.csv`,
      '/api/v1/events/0/attendees.csv',
    ]) {
      expectProblem(await api('GET', path, { token: admin }), 422);
    }
  });

  it("exports the event's attendees as CSV: names round-trip, formulas inert; the organizer and admins only", async () => {
    const res = await api('GET', `/api/v1/events/${event.id}/attendees.csv`, { token: organizer.access });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    // Up to when the file is current: the read model has the whole history by now.
    expect(Date.parse(res.headers.get('x-as-of')!)).toBeGreaterThanOrEqual(historyDone - 5_000);
    const rows: Record<string, string>[] = parse(res.body, { columns: true });
    // 2 + 1 + 3 + 1 tickets issued; the refunded ones stay, void.
    expect(rows).toHaveLength(7);
    const holders = new Set(rows.map((r) => r.holder_name));
    expect(holders).toEqual(new Set([`'${FORMULA} Formula`, `Jane, "JJ" O'Neil, Jr.`]));
    expect(rows.filter((r) => r.status === 'void')).toHaveLength(2);
    expect(rows.filter((r) => r.checked_in_at !== '')).toHaveLength(1);
    expect(new Set(rows.map((r) => r.ticket_type))).toEqual(new Set(['General admission', 'Local admission']));
    expect(rows.find((r) => r.holder_name.startsWith("'="))?.holder_email).toBe(formulaBuyer.email);

    expectProblem(await api('GET', `/api/v1/events/${event.id}/attendees.csv`, { token: rival.access }), 404);
    expectProblem(await api('GET', `/api/v1/events/${event.id}/orders.csv`, { token: formulaBuyer.access }), 403);
    const asAdmin = await api('GET', `/api/v1/events/${event.id}/attendees.csv`, { token: admin });
    expect(asAdmin.body).toBe(res.body);
  });

  it("exports the event's orders as CSV, every state with its money", async () => {
    const res = await api('GET', `/api/v1/events/${event.id}/orders.csv`, { token: admin });
    expect(res.status).toBe(200);
    const rows: Record<string, string>[] = parse(res.body, { columns: true });
    expect(rows.map((r) => [r.payment_status, r.currency, r.total_price, r.refunded])).toEqual([
      ['completed', 'USD', '50.00', '0.00'],
      ['completed', 'ZWG', '1350.50', '0.00'],
      ['partially_refunded', 'USD', '75.00', '25.00'],
      ['refunded', 'USD', '25.00', '25.00'],
      ['pending', 'USD', '25.00', '0.00'],
      ['cancelled', 'USD', '100.00', '0.00'],
    ]);
  });

  it('answers the same to requests repeated at once', async () => {
    const paths = [
      '/api/v1/admin/dashboard?days=30',
      `/api/v1/admin/analytics/events/${event.id}`,
      `/api/v1/events/${event.id}/attendees.csv`,
    ];
    for (const path of paths) {
      const answers = await Promise.all(Array.from({ length: 8 }, () => api('GET', path, { token: admin })));
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      const bodies = answers.map((a) =>
        typeof a.body === 'string'
          ? a.body
          : JSON.stringify(a.body, (key, value) => (CLOCK_FIELDS.has(key) ? 0 : value)),
      );
      expect(new Set(bodies).size).toBe(1);
    }
  });
});

describe('how far behind the read model is', () => {
  it('counts a burst of sales within seconds of the last payment', async () => {
    const buyers = await Promise.all(Array.from({ length: LOAD_WORKERS }, () => register(cluster.api)));
    const before = (await api('GET', '/api/v1/admin/dashboard?days=30', { token: admin })).body.totals.total_orders;
    const behind: number[] = [];
    let selling = true;
    // While the sales run: how far `as_of` trails the clock.
    const sampler = (async () => {
      while (selling) {
        const res = await api('GET', '/api/v1/admin/dashboard?days=30', { token: admin });
        if (res.status === 200) behind.push(Date.now() - Date.parse(res.body.as_of));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    let lastPaid = 0;
    await Promise.all(
      buyers.map(async (buyer) => {
        for (let i = 0; i < LOAD_ORDERS / LOAD_WORKERS; i++) {
          const placed = await api('POST', '/api/v1/orders', {
            token: buyer.access,
            body: { event_id: event.id, payment_method: 'ecocash', items: [{ ticket_type_id: usd.id, quantity: 1 }] },
          });
          expect(placed.status).toBe(201);
          expect((await api('POST', `/api/v1/orders/${placed.body.id}/pay`, { token: buyer.access })).status).toBe(200);
          lastPaid = Math.max(lastPaid, Date.now());
        }
      }),
    );
    selling = false;
    await sampler;
    await until('/api/v1/admin/dashboard?days=30', admin, (d) => d.totals.total_orders === before + LOAD_ORDERS);
    const lagMs = Date.now() - lastPaid;
    const worst = Math.max(...behind);
    console.log(
      `reporting lag: the last of ${LOAD_ORDERS} sales counted ${lagMs} ms after it was paid; ` +
        `as_of trailed the clock by at most ${worst} ms over ${behind.length} reads during the sales`,
    );
    expect(lagMs).toBeLessThan(15_000);
  });

  it('never answered 500', () => {
    expect(answered.filter((a) => a.status >= 500)).toEqual([]);
  });
});
