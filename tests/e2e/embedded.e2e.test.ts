import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, type RunningProcess } from '../support/processes';
import { startNpmStart } from '../support/embedded';
import { decodeInlineQrCodes, pdfPageCount, waitForMail } from '../support/mail';
import { simpleParser } from 'mailparser';
import { waitForTicketCount } from '../support/tickets';
import { buyTickets, createEvent, createTicketType } from '../support/sales';
import { login, register } from '../support/users';
import { apiClient, waitFor } from '@ticketpro/shared/testing';

jest.setTimeout(180_000);

const ADMIN = { email: 'admin@embedded.test', password: 'Admin-Passw0rd-Strong' };

/** The embedded mode exactly as `npm start` runs it: one process, no NATS, no Postgres, each service on PGlite under DATA_DIR. */
describe('npm start (embedded mode)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ticketpro-embedded-'));
  let port: number;
  let running: RunningProcess | undefined;

  const start = async () => {
    // At info, for the line that names each mail file; with its build, exactly as a user runs it.
    const started = await startNpmStart(
      port,
      dataDir,
      { LOG_LEVEL: 'info', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
      { build: true },
    );
    running = started.process;
    // Until every service is up, /health says so: 503 starting, never overloaded or anything else.
    for (const answer of started.answersWhileStarting)
      expect(answer).toMatchObject({ status: 503, body: { status: 'starting' } });
  };

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves health, accounts, events, ticket types, orders and tickets; keeps the data across a restart', async () => {
    await start();
    const api = apiClient(`http://127.0.0.1:${port}`);
    const health = await api('GET', '/health');
    expect(health.body).toEqual({
      status: 'ok',
      services: {
        identity: 'ok',
        catalog: 'ok',
        ordering: 'ok',
        ticketing: 'ok',
        notifications: 'ok',
        reporting: 'ok',
      },
    });

    const user = await register(api);
    const me = await api('GET', '/api/v1/auth/me', { token: (await login(api, user.email, user.password)).access });
    expect(me.body.email).toBe(user.email);

    const organizer = await register(api, { firstname: 'Rudo', surname: 'Chari', role: 'organizer' });
    const created = await api('POST', '/api/v1/events', {
      token: organizer.access,
      body: {
        event_name: 'Embedded Mbira Festival',
        description: 'A whole day of mbira, in one process',
        location: 'Great Zimbabwe',
        date: new Date(Date.now() + 30 * 24 * 60 * 60 * 1000).toISOString(),
        capacity: 10,
      },
    });
    expect(created.status).toBe(201);
    const ticketType = await api('POST', '/api/v1/tickets/types', {
      token: organizer.access,
      body: {
        event_id: created.body.id,
        name: 'Day pass',
        description: 'Entry for the whole day',
        price: 19.99,
        quantity: 300,
        currency: 'ZWG',
      },
    });
    expect(ticketType.status).toBe(201);
    const order = await api('POST', '/api/v1/orders', {
      token: user.access,
      body: {
        event_id: created.body.id,
        payment_method: 'ecocash',
        items: [{ ticket_type_id: ticketType.body.id, quantity: 3 }],
      },
    });
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({
      user_id: user.id,
      payment_status: 'pending',
      total_price: 59.97,
      currency: 'ZWG',
    });
    const paid = await api('POST', `/api/v1/orders/${order.body.id}/pay`, { token: user.access });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ id: order.body.id, payment_status: 'completed', total_price: 59.97 });
    // A promo code and the event's capacity, on PGlite: the discount is per line, the seats are
    // the event's across its types, and a cancelled order gives both back.
    const code = await api('POST', `/api/v1/events/${created.body.id}/promo-codes`, {
      token: organizer.access,
      body: { code: 'MBIRA10', percent_off: 10, max_uses: 1 },
    });
    expect(code.status).toBe(201);
    const orderOf = (quantity: number, extra: object = {}) =>
      api('POST', '/api/v1/orders', {
        token: user.access,
        body: {
          event_id: created.body.id,
          payment_method: 'ecocash',
          items: [{ ticket_type_id: ticketType.body.id, quantity }],
          ...extra,
        },
      });
    const discounted = await orderOf(2, { promo_code: 'mbira10' });
    expect(discounted.body).toMatchObject({ total_price: 35.98, discount: 4, promo_code: 'MBIRA10' });
    expect((await orderOf(1, { promo_code: 'MBIRA10' })).status).toBe(422);
    expect((await orderOf(6)).status).toBe(409);
    expect((await api('DELETE', `/api/v1/orders/${discounted.body.id}`, { token: user.access })).status).toBe(200);
    const uses = await api('GET', `/api/v1/events/${created.body.id}/promo-codes/${code.body.id}`, {
      token: organizer.access,
    });
    expect(uses.body.uses).toBe(0);

    const tickets = await waitForTicketCount(api, user.access, order.body.id, 3);
    expect(tickets).toHaveLength(3);
    for (const ticket of tickets) {
      expect(ticket).toMatchObject({ order_id: order.body.id, ticket_type_id: ticketType.body.id, status: 'valid' });
    }
    expect(new Set(tickets.map((t) => t.qr_code)).size).toBe(3);

    // No mail server here: each message is a file under DATA_DIR/mail, named in the log.
    const mailFile = (subject: string) =>
      waitForMail(() => {
        const files = existsSync(path.join(dataDir, 'mail')) ? readdirSync(path.join(dataDir, 'mail')) : [];
        const named = files.filter((f) => running!.output().includes(path.join(dataDir, 'mail', f)));
        const raw = named.map((f) => readFileSync(path.join(dataDir, 'mail', f)));
        return raw.find((r) => r.toString('latin1').includes(`Subject: ${subject}\r\n`));
      }, `mail file "${subject}"`).then((raw) => simpleParser(raw));
    const parsed = await mailFile('Your tickets for Embedded Mbira Festival');
    expect(parsed.to).toMatchObject({ value: [{ address: user.email }] });
    expect(decodeInlineQrCodes(parsed).sort()).toEqual(tickets.map((t) => t.qr_code).sort());
    const pdfs = parsed.attachments.filter((a) => a.contentType === 'application/pdf');
    expect(pdfs.map((a) => pdfPageCount(a.content))).toEqual([3]);
    // The order's confirmation, and the notice of the one cancelled above, as files too.
    const confirmation = await mailFile(`Order #${order.body.id} for Embedded Mbira Festival: your tickets are held`);
    expect(confirmation.text).toContain(`POST /api/v1/orders/${order.body.id}/pay`);
    const cancelled = await mailFile(`Order #${discounted.body.id} cancelled`);
    expect(cancelled.to).toMatchObject({ value: [{ address: user.email }] });

    const event = await api('GET', `/api/v1/events/${created.body.id}`);
    expect(event.body).toMatchObject({
      event_name: 'Embedded Mbira Festival',
      organizer: { id: organizer.id, firstname: 'Rudo', surname: 'Chari' },
      ticket_types: [
        { id: ticketType.body.id, price: 19.99, currency: 'ZWG', available_quantity: 297, sold_quantity: 3 },
      ],
    });

    // As a process manager stops it: SIGTERM to npm alone, which must reach node and stop it cleanly.
    const npm = running!.child;
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    npm.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(() => process.kill(-npm.pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    await start();
    const again = await login(api, user.email, user.password);
    const meAgain = await api('GET', '/api/v1/auth/me', { token: again.access });
    expect(meAgain.body.id).toBe(user.id);
    expect((await api('GET', `/api/v1/events/${created.body.id}`)).body).toEqual(event.body);
    expect((await api('GET', `/api/v1/orders/${order.body.id}`, { token: again.access })).body).toEqual(paid.body);
    const ticketsAgain = await api('GET', `/api/v1/tickets?order_id=${order.body.id}`, { token: again.access });
    expect(ticketsAgain.body.items).toEqual(expect.arrayContaining(tickets));
    expect(ticketsAgain.body.total).toBe(3);
  });

  it('transfers a ticket in one process: the old code is refused from the acceptance on, the new one admitted; each transfer route with its rules', async () => {
    const api = apiClient(`http://127.0.0.1:${port}`);
    // Just restarted on a loaded machine, the gateway may still shed load (503) for a moment.
    await waitFor(`http://127.0.0.1:${port}/api/v1/events`, (status) => status === 200);
    const organizer = await register(api, { role: 'organizer' });
    const buyer = await register(api);
    const friend = await register(api);
    const stranger = await register(api);
    const event = await createEvent(api, organizer.access);
    const type = await createTicketType(api, organizer.access, event.id);
    const {
      tickets: [ticket, withdrawn, direct],
    } = await buyTickets(api, buyer.access, event.id, type.id, 3);

    const offer = await api('POST', `/api/v1/tickets/${ticket.id}/transfer`, {
      token: buyer.access,
      body: { email: friend.email },
    });
    expect(offer.status).toBe(201);
    const byStranger = await api('POST', `/api/v1/tickets/transfers/${offer.body.id}/accept`, {
      token: stranger.access,
    });
    expect(byStranger.status).toBe(404);
    const accepted = await api('POST', `/api/v1/tickets/transfers/${offer.body.id}/accept`, { token: friend.access });
    expect(accepted.status).toBe(200);
    const old = await api('POST', '/api/v1/validation/checkin', {
      token: organizer.access,
      body: { qr_code: ticket.qr_code },
    });
    expect(old.status).toBe(409);
    const moved = await api('GET', `/api/v1/tickets/${ticket.id}`, { token: friend.access });
    const admitted = await api('POST', '/api/v1/validation/checkin', {
      token: organizer.access,
      body: { qr_code: moved.body.qr_code },
    });
    expect(admitted.status).toBe(200);
    const owners = await api('GET', `/api/v1/tickets/${ticket.id}/owners`, { token: friend.access });
    expect(owners.body.owners.map((o: { via: string }) => o.via)).toEqual(['purchase', 'transfer']);
    expect((await api('GET', `/api/v1/tickets/${ticket.id}/owners`, { token: organizer.access })).body).toEqual(
      owners.body,
    );
    expect((await api('GET', `/api/v1/tickets/${ticket.id}/owners`, { token: buyer.access })).status).toBe(404);

    // The owner withdraws an offer (a stranger may not); it can be accepted no more.
    const second = await api('POST', `/api/v1/tickets/${withdrawn.id}/transfer`, {
      token: buyer.access,
      body: { email: friend.email },
    });
    expect(
      (await api('DELETE', `/api/v1/tickets/transfers/${second.body.id}`, { token: stranger.access })).status,
    ).toBe(404);
    const cancelled = await api('DELETE', `/api/v1/tickets/transfers/${second.body.id}`, { token: buyer.access });
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    const late = await api('POST', `/api/v1/tickets/transfers/${second.body.id}/accept`, { token: friend.access });
    expect(late.status).toBe(409);

    // An admin hands a ticket over at once; nobody else may.
    const admin = (await login(api, ADMIN.email, ADMIN.password)).access;
    const body = { ticket_id: direct.id, new_owner_email: stranger.email };
    expect((await api('POST', '/api/v1/admin/tickets/transfer', { token: organizer.access, body })).status).toBe(403);
    const handed = await api('POST', '/api/v1/admin/tickets/transfer', { token: admin, body });
    expect(handed.body).toMatchObject({ status: 'accepted', ticket_id: direct.id });

    const feed = await api('GET', `/api/v1/validation/revocations?event_id=${event.id}`, { token: organizer.access });
    expect(feed.body.revocations.map((r: { qr_code: string }) => r.qr_code)).toEqual([ticket.qr_code, direct.qr_code]);
    expect((await api('GET', '/api/v1/validation/revocations', { token: buyer.access })).status).toBe(403);
  });
});
