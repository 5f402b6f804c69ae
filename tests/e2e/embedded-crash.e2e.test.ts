import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@ticketpro/shared/testing';
import { freePort, type RunningProcess } from '../support/processes';
import { startNpmStart } from '../support/embedded';
import { createEvent, createTicketType } from '../support/sales';
import { waitForTicketCount } from '../support/tickets';
import { register } from '../support/users';

jest.setTimeout(180_000);

/**
 * The embedded mode keeps JetStream's promise: every event reaches every consumer at least once
 * and is handled once, across a crash. The process is SIGKILLed after a payment has committed
 * and while its `ordering.order.paid` is on its way to ticketing, then started again: the
 * order's tickets must appear, once.
 *
 * The moment is made deterministic from outside, with no test hook in the code: the test holds
 * a lock on ticketing's `processed_events`, so ticketing's handling of the event (which inserts
 * there first) waits, and kills the process once Postgres shows that insert waiting. That needs
 * the embedded mode on Postgres (DATABASE_URL) rather than PGlite, which no other process can
 * open; the bus, the relays and the consumers are the same either way.
 */
describe('npm start (embedded mode) killed while an event is on its way', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ticketpro-embedded-crash-'));
  let database: TestDatabase;
  let port: number;
  let running: RunningProcess | undefined;
  let sql: Client;

  beforeAll(async () => {
    database = await createTestDatabase('embedded_crash');
    port = await freePort();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });
  afterAll(async () => {
    await running?.stop();
    await sql?.end();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const started = await startNpmStart(port, dataDir, { DATABASE_URL: database.url, RATE_LIMIT_REGISTER: '0' });
    running = started.process;
    return started.api;
  };

  const paidEvent = async (orderId: number) => {
    const { rows } = await sql.query<{ id: string; published: boolean }>(
      `SELECT id, published_at IS NOT NULL AS published FROM ordering.outbox
        WHERE name = 'ordering.order.paid' AND (envelope->'data'->>'id')::int = $1`,
      [orderId],
    );
    return rows;
  };

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`${what}: not within ${timeoutMs} ms\n${running?.output().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('issues the tickets of a payment whose event a crash interrupted, once, after the restart', async () => {
    let api = await start();
    const organizer = await register(api, { role: 'organizer' });
    const buyer = await register(api);
    const event = await createEvent(api, organizer.access);
    const ticketType = await createTicketType(api, organizer.access, event.id, { quantity: 10 });
    const order = await api('POST', '/api/v1/orders', {
      token: buyer.access,
      body: { event_id: event.id, payment_method: 'ecocash', items: [{ ticket_type_id: ticketType.id, quantity: 2 }] },
    });
    expect(order.status).toBe(201);

    // Ticketing's handlers now wait on the lock; the payment commits in ordering all the same.
    const blocker = new Client({ connectionString: database.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE ticketing.processed_events IN EXCLUSIVE MODE');
      const paid = await api('POST', `/api/v1/orders/${order.body.id}/pay`, { token: buyer.access });
      expect(paid).toMatchObject({ status: 200, body: { payment_status: 'completed' } });

      await until('ticketing handling the paid order, waiting on the lock', async () => {
        const { rows } = await sql.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%processed_events%'`,
        );
        return rows.length > 0 ? true : undefined;
      });
      // Handed to ticketing but not handled: the event is still waiting in ordering's outbox.
      expect(await paidEvent(order.body.id)).toEqual([{ id: expect.any(String), published: false }]);

      await running!.stop('SIGKILL');
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
    const ticketsOf = async () =>
      Number(
        (await sql.query('SELECT count(*) AS n FROM ticketing.tickets WHERE order_id = $1', [order.body.id])).rows[0].n,
      );
    expect(await ticketsOf()).toBe(0);

    api = await start();
    const tickets = await waitForTicketCount(api, buyer.access, order.body.id, 2);
    expect(tickets.map((t) => t.status)).toEqual(['valid', 'valid']);
    const [{ id: eventId }] = await until('the paid event marked published', async () => {
      const rows = await paidEvent(order.body.id);
      return rows[0]?.published ? rows : undefined;
    });
    // Once: two units, two tickets, one handling of the event, however often it was delivered.
    expect(await ticketsOf()).toBe(2);
    const handled = await sql.query('SELECT consumer FROM ticketing.processed_events WHERE event_id = $1', [eventId]);
    expect(handled.rows).toEqual([{ consumer: 'ticketing_issuing' }]);
  });
});
