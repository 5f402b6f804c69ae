import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { expectProblem } from '@ticketpro/shared/testing';
import { embeddedNode, type EmbeddedNode } from '../support/embedded';
import { buyTickets, createEvent, createTicketType } from '../support/sales';
import { login, register } from '../support/users';

jest.setTimeout(240_000);

const ADMIN = { email: 'admin@reporting-embedded.test', password: 'Admin-Passw0rd-Strong' };

/** Resident size of `pid` in MiB, from /proc (Linux). */
const residentMiB = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** The node process `npm start` runs (npm's child, by `exec` of its script shell). */
const nodeChildOf = (pid: number) =>
  Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]);

/** reporting in `npm start`: one process, PGlite, the in-process event bus. */
describe('reporting in the embedded mode', () => {
  let node: EmbeddedNode;
  let npmPid: number;

  beforeAll(async () => {
    node = await embeddedNode('reporting_embedded', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    npmPid = (await node.start()).process.child.pid!;
  });
  afterAll(async () => {
    await node?.destroy();
  });

  it('answers the dashboard, the analytics and the exports after a sale, each with its rules and its as_of', async () => {
    const { api } = node;
    const admin = (await login(api, ADMIN.email, ADMIN.password)).access;
    const organizer = await register(api, { firstname: 'Rudo', surname: 'Chari', role: 'organizer' });
    const rival = await register(api, { firstname: 'Tafadzwa', surname: 'Ncube', role: 'organizer' });
    const buyer = await register(api, { firstname: '=HYPERLINK("http://x")', surname: 'Moyo' });
    const event = await createEvent(api, organizer.access);
    const type = await createTicketType(api, organizer.access, event.id, { price: 19.99 });
    await buyTickets(api, buyer.access, event.id, type.id, 3);

    const deadline = Date.now() + 30_000;
    let dashboard = await api('GET', '/api/v1/admin/dashboard?days=1', { token: admin });
    while (dashboard.body.totals?.total_tickets_sold !== 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      dashboard = await api('GET', '/api/v1/admin/dashboard?days=1', { token: admin });
    }
    expect(dashboard.body.sales_stats).toMatchObject({
      total_sales: [{ currency: 'USD', amount: 59.97 }],
      total_orders: 1,
      total_tickets_sold: 3,
    });

    // Every answer says up to when it is current: never before the dashboard that counted the sale
    // (the tickets' own events may still move it on).
    const asOf = Date.parse(dashboard.body.as_of);
    expect(asOf).toBeGreaterThan(0);
    const current = (stamp: string | null) => expect(Date.parse(stamp!)).toBeGreaterThanOrEqual(asOf);

    const figures = await api('GET', `/api/v1/admin/analytics/events/${event.id}`, { token: organizer.access });
    expect(figures.body).toMatchObject({ total_tickets_sold: 3, capacity: 100, available_tickets: 97 });
    current(figures.body.as_of);
    expectProblem(await api('GET', `/api/v1/admin/analytics/events/${event.id}`, { token: rival.access }), 404);
    expectProblem(await api('GET', '/api/v1/admin/dashboard', { token: organizer.access }), 403);
    expectProblem(await api('GET', '/api/v1/admin/dashboard', { token: buyer.access }), 403);
    expectProblem(await api('GET', '/api/v1/admin/dashboard'), 401);

    const sales = await api('GET', '/api/v1/admin/analytics/sales?days=1', { token: organizer.access });
    expect(sales.body.by_currency).toEqual([
      { currency: 'USD', revenue: 59.97, orders: 1, tickets_sold: 3, average_order_value: 59.97, refunds: 0 },
    ]);
    current(sales.body.as_of);
    const rivalSales = await api('GET', '/api/v1/admin/analytics/sales?days=1', { token: rival.access });
    expect(rivalSales.body.by_currency).toEqual([]);
    current(rivalSales.body.as_of);
    expectProblem(await api('GET', '/api/v1/admin/analytics/sales', { token: buyer.access }), 403);
    const listed = await api('GET', '/api/v1/admin/analytics/events', { token: admin });
    expect(listed.body).toMatchObject({ total: 1, items: [{ event_id: event.id, total_tickets_sold: 3 }] });
    current(listed.body.as_of);
    const rivalListed = await api('GET', '/api/v1/admin/analytics/events', { token: rival.access });
    expect(rivalListed.body).toMatchObject({ total: 0, items: [] });
    current(rivalListed.body.as_of);

    const csv = await api('GET', `/api/v1/events/${event.id}/attendees.csv`, { token: organizer.access });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    current(csv.headers.get('x-as-of'));
    const rows = parse<Record<string, string>>(csv.body as string, { columns: true });
    expect(rows.map((r) => r.holder_name)).toEqual(Array(3).fill(`'=HYPERLINK("http://x") Moyo`));
    const orders = await api('GET', `/api/v1/events/${event.id}/orders.csv`, { token: admin });
    expect(parse<Record<string, string>>(orders.body as string, { columns: true })).toEqual([
      expect.objectContaining({ payment_status: 'completed', total_price: '59.97', tickets: '3' }),
    ]);
    expectProblem(await api('GET', `/api/v1/events/${event.id}/orders.csv`, { token: rival.access }), 404);
    expectProblem(await api('GET', `/api/v1/events/${event.id}/attendees.csv`, { token: buyer.access }), 403);

    const rss = residentMiB(nodeChildOf(npmPid));
    console.log(`npm start (six services) after a sale: ${rss.toFixed(0)} MiB resident`);
  });
});
