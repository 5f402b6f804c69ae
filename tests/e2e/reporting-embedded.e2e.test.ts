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

  it('answers the dashboard, the analytics and the exports after a sale', async () => {
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

    const figures = await api('GET', `/api/v1/admin/analytics/events/${event.id}`, { token: organizer.access });
    expect(figures.body).toMatchObject({ total_tickets_sold: 3, capacity: 100, available_tickets: 97 });
    expectProblem(await api('GET', `/api/v1/admin/analytics/events/${event.id}`, { token: rival.access }), 404);
    expectProblem(await api('GET', '/api/v1/admin/dashboard', { token: organizer.access }), 403);

    const csv = await api('GET', `/api/v1/events/${event.id}/attendees.csv`, { token: organizer.access });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = parse<Record<string, string>>(csv.body as string, { columns: true });
    expect(rows.map((r) => r.holder_name)).toEqual(Array(3).fill(`'=HYPERLINK("http://x") Moyo`));
    const orders = await api('GET', `/api/v1/events/${event.id}/orders.csv`, { token: admin });
    expect(parse<Record<string, string>>(orders.body as string, { columns: true })).toEqual([
      expect.objectContaining({ payment_status: 'completed', total_price: '59.97', tickets: '3' }),
    ]);

    const rss = residentMiB(nodeChildOf(npmPid));
    console.log(`npm start (six services) after a sale: ${rss.toFixed(0)} MiB resident`);
  });
});
