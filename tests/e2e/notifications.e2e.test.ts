import { Client } from 'pg';
import { connect, headers as natsHeaders } from 'nats';
import { createEvent as createEventBy, createTicketType as createTicketTypeBy } from '../support/sales';
import { startCluster, type Cluster } from '../support/cluster';
import { expectProblem, recordingApi, waitFor } from '@ticketpro/shared/testing';
import { decodeInlineQrCodes, pdfPageCount, startMailCatcher, waitForMail, type MailCatcher } from '../support/mail';
import { waitForTicketCount, type TicketView } from '../support/tickets';
import { login, register, type Registered } from '../support/users';

jest.setTimeout(120_000);

const ADMIN = { email: 'admin@notifications.test', password: 'Admin-Passw0rd-Strong' };
const MISSING_ID = 2_000_000_000;
/** How long a test waits, once the expected messages are there, for any duplicate to turn up. */
const SETTLE_MS = 3_000;
const RESEND_LIMIT = 3;
const SHORT_HOLD_SECONDS = 2;
const MARKUP_NAME = '<script>alert(1)</script>';

let cluster: Cluster;
let mail: MailCatcher;
let admin: { id: number; access: string };
let organizer: Registered;
let rival: Registered;
let buyer: Registered;
let stranger: Registered;
let event: { id: number };
let ticketType: { id: number };

beforeAll(async () => {
  mail = await startMailCatcher();
  cluster = await startCluster('e2e_notifications', {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SMTP_URL: mail.url,
    MAIL_RETRY_SECONDS: '1',
    RATE_LIMIT_RESEND: String(RESEND_LIMIT),
  });
  const { access } = await login(cluster.api, ADMIN.email, ADMIN.password);
  admin = { id: (await cluster.api('GET', '/api/v1/auth/me', { token: access })).body.id, access };
  organizer = await register(cluster.api, { firstname: 'Rudo', surname: 'Chari', role: 'organizer' });
  rival = await register(cluster.api, { firstname: 'Tafadzwa', surname: 'Ncube', role: 'organizer' });
  buyer = await register(cluster.api, { firstname: 'Farai', surname: 'Mlambo' });
  stranger = await register(cluster.api, { firstname: 'Chipo', surname: 'Dube' });
  event = await createEventBy(cluster.api, organizer.access, { event_name: `${MARKUP_NAME} Mbira Night` });
  ticketType = await createTicketTypeBy(cluster.api, organizer.access, event.id, { name: 'VIP <b>front row</b>' });
  await createEventBy(cluster.api, rival.access);
});
afterAll(async () => {
  await cluster?.stop();
  await mail?.close();
});

/** Every answer of this file, so the last test can check that none was a 500. */
const { api, answered } = recordingApi(() => cluster.api);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function placeOrder(user: Registered, quantity: number): Promise<number> {
  const res = await api('POST', '/api/v1/orders', {
    token: user.access,
    body: { event_id: event.id, payment_method: 'ecocash', items: [{ ticket_type_id: ticketType.id, quantity }] },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function payOrder(user: Registered, orderId: number): Promise<TicketView[]> {
  expect((await api('POST', `/api/v1/orders/${orderId}/pay`, { token: user.access })).status).toBe(200);
  return (await waitForTicketCount(cluster.api, user.access, orderId, 1)).sort((a, b) => a.id - b.id);
}

const subjectOf = (m: { parsed: { subject?: string } }) => m.parsed.subject ?? '';
/** The messages to `user` whose subject matches. */
const messagesTo = (user: Registered, subject: RegExp) => mail.to(user.email).filter((m) => subject.test(subjectOf(m)));
const deliveriesOf = (user: Registered, orderId: number) =>
  messagesTo(user, /^Your tickets for/).filter((m) => m.parsed.text?.includes(`order #${orderId}.`));

describe('ticket delivery over SMTP', () => {
  let orderId: number;
  let tickets: TicketView[];

  it('confirms a placed order: what is held, until when, how to pay', async () => {
    orderId = await placeOrder(buyer, 2);
    const confirmation = await waitForMail(
      () => messagesTo(buyer, new RegExp(`^Order #${orderId} for `))[0],
      'order confirmation',
    );
    expect(confirmation.parsed.text).toContain('held until');
    expect(confirmation.parsed.text).toContain(`2 x VIP <b>front row</b> at ZWG 19.99`.replace('ZWG', 'USD'));
    expect(confirmation.parsed.text).toContain(`/api/v1/orders/${orderId}/pay`);
    expect(confirmation.parsed.html).toBeTruthy();
  });

  it('sends one message once the order is paid: each QR code inline, and a PDF with a page per ticket', async () => {
    tickets = await payOrder(buyer, orderId);
    expect(tickets).toHaveLength(2);
    const delivery = await waitForMail(() => deliveriesOf(buyer, orderId)[0], 'ticket delivery');
    await sleep(SETTLE_MS);
    expect(deliveriesOf(buyer, orderId)).toHaveLength(1);

    expect(decodeInlineQrCodes(delivery.parsed).sort()).toEqual(tickets.map((t) => t.qr_code).sort());
    const pdfs = delivery.parsed.attachments.filter((a) => a.contentType === 'application/pdf');
    expect(pdfs).toHaveLength(1);
    expect(pdfPageCount(pdfs[0].content)).toBe(2);
    // The HTML shows each image where it refers to it.
    for (const image of delivery.parsed.attachments.filter((a) => a.contentType === 'image/png')) {
      expect(delivery.parsed.html).toContain(`cid:${image.cid}`);
    }
    expect(delivery.parsed.text).toContain('Farai Mlambo');
    expect(delivery.parsed.from?.text).toContain('@');
  });

  it('renders an event named as markup escaped in the HTML, and as written in the text', async () => {
    const [delivery] = deliveriesOf(buyer, orderId);
    const html = delivery.parsed.html as string;
    expect(html).not.toContain(MARKUP_NAME);
    expect(html).not.toContain('<b>front row</b>');
    // Mustache escapes the slash too.
    expect(html).toContain('&lt;script&gt;alert(1)&lt;&#x2F;script&gt; Mbira Night');
    expect(html).toContain('VIP &lt;b&gt;front row&lt;&#x2F;b&gt;');
    expect(delivery.parsed.text).toContain(`${MARKUP_NAME} Mbira Night`);
    expect(subjectOf(delivery)).toBe(`Your tickets for ${MARKUP_NAME} Mbira Night`);
  });

  it('sends nothing more when order.paid and the tickets event are delivered again', async () => {
    const db = new Client({ connectionString: cluster.env.DATABASE_URL });
    await db.connect();
    const nc = await connect({ servers: cluster.env.NATS_URL });
    try {
      const { rows } = await db.query<{ envelope: { id: string; type: string } }>(
        `SELECT envelope FROM ordering.outbox WHERE name = 'ordering.order.paid' AND envelope->'data'->>'id' = $1
         UNION ALL
         SELECT envelope FROM ticketing.outbox
          WHERE name = 'ticketing.order_tickets.issued' AND envelope->'data'->>'order_id' = $1`,
        [String(orderId)],
      );
      expect(rows.map((r) => r.envelope.type).sort()).toEqual([
        'ticketpro.ordering.order.paid',
        'ticketpro.ticketing.order_tickets.issued',
      ]);
      // Forgotten as handled, so that only the messages' own key stands between them and a second send.
      await db.query('DELETE FROM notifications.processed_events WHERE event_id = ANY($1)', [
        rows.map((r) => r.envelope.id),
      ]);
      const js = nc.jetstream();
      for (const { envelope } of rows) {
        const name = envelope.type.slice('ticketpro.'.length);
        const h = natsHeaders();
        // Another message id, or the stream would drop it as a duplicate of the first.
        h.set('Nats-Msg-Id', `${envelope.id}-again`);
        await js.publish(`${cluster.env.EVENT_SUBJECT_PREFIX}.${name}`, JSON.stringify(envelope), { headers: h });
      }
      // Handled again by then: the rows are back.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const handled = await db.query('SELECT 1 FROM notifications.processed_events WHERE event_id = ANY($1)', [
          rows.map((r) => r.envelope.id),
        ]);
        if (handled.rowCount === 2) break;
        if (Date.now() > deadline) throw new Error('the redelivered events were not handled');
        await sleep(200);
      }
    } finally {
      await nc.close();
      await db.end();
    }
    await sleep(SETTLE_MS);
    expect(deliveriesOf(buyer, orderId)).toHaveLength(1);
  });
});

describe('order notices', () => {
  it('tells the buyer when an order is cancelled, and when one is refunded', async () => {
    const cancelled = await placeOrder(buyer, 1);
    expect((await api('DELETE', `/api/v1/orders/${cancelled}`, { token: buyer.access })).status).toBe(200);
    const notice = await waitForMail(
      () => messagesTo(buyer, new RegExp(`^Order #${cancelled} cancelled$`))[0],
      'cancellation',
    );
    expect(notice.parsed.text).toContain('You were not charged');

    const refunded = await placeOrder(buyer, 1);
    await payOrder(buyer, refunded);
    expect((await api('POST', `/api/v1/orders/${refunded}/refund`, { token: admin.access })).status).toBe(200);
    const refund = await waitForMail(() => messagesTo(buyer, new RegExp(`^Order #${refunded} refunded$`))[0], 'refund');
    expect(refund.parsed.text).toContain('USD 19.99 goes back to you');
  });
});

describe('GET /tickets/{id}/pdf', () => {
  let ticket: TicketView;
  let orderId: number;

  beforeAll(async () => {
    orderId = await placeOrder(buyer, 1);
    [ticket] = await payOrder(buyer, orderId);
  });

  async function fetchPdf(id: number | string, token: string) {
    const res = await fetch(`${cluster.baseUrl}/api/v1/tickets/${id}/pdf`, {
      headers: { authorization: `Bearer ${token}` },
    });
    answered.push({ request: `GET /tickets/${id}/pdf`, status: res.status });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, contentType: res.headers.get('content-type'), headers: res.headers, bytes };
  }

  it("gives the ticket's owner, the event's organizer and an admin one page with its QR code", async () => {
    for (const token of [buyer.access, organizer.access, admin.access]) {
      const pdf = await fetchPdf(ticket.id, token);
      expect(pdf.status).toBe(200);
      expect(pdf.contentType).toBe('application/pdf');
      expect(pdf.headers.get('cache-control')).toBe('private, no-store');
      expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdfPageCount(pdf.bytes)).toBe(1);
    }
  });

  it('answers 404 to anyone else, as for a missing ticket, and 401 without a token', async () => {
    for (const token of [stranger.access, rival.access]) {
      const pdf = await fetchPdf(ticket.id, token);
      expect(pdf.status).toBe(404);
      expect(pdf.bytes.toString()).not.toContain('%PDF');
    }
    expect((await fetchPdf(MISSING_ID, buyer.access)).status).toBe(404);
    const anonymous = await fetch(`${cluster.baseUrl}/api/v1/tickets/${ticket.id}/pdf`);
    expect(anonymous.status).toBe(401);
  });

  it('refuses ids out of range or with a NUL byte (422), and a ticket not paid for (409)', async () => {
    for (const id of ['0', '2147483648', 'abc%00', '1.5']) {
      const pdf = await fetchPdf(id, buyer.access);
      expect(pdf.status).toBe(422);
      expect(pdf.contentType).toMatch(/^application\/problem\+json/);
    }
    // A unit added to a pending order is a reserved ticket until the order is paid.
    const pending = await placeOrder(buyer, 1);
    const reserved = await api('POST', '/api/v1/tickets', {
      token: buyer.access,
      body: { order_id: pending, ticket_type_id: ticketType.id },
    });
    expect(reserved.status).toBe(201);
    expect((await fetchPdf(reserved.body.id, buyer.access)).status).toBe(409);
  });

  it('answers the same to several requests at once', async () => {
    const pdfs = await Promise.all(Array.from({ length: 5 }, () => fetchPdf(ticket.id, buyer.access)));
    expect(pdfs.map((p) => [p.status, pdfPageCount(p.bytes)])).toEqual(pdfs.map(() => [200, 1]));
  });
});

describe('POST /orders/{id}/resend', () => {
  let orderId: number;

  beforeAll(async () => {
    orderId = await placeOrder(buyer, 1);
    await payOrder(buyer, orderId);
    await waitForMail(() => deliveriesOf(buyer, orderId)[0], 'ticket delivery');
  });

  it("answers 404 for another user's order, as for a missing one, and sends nothing", async () => {
    const res = await api('POST', `/api/v1/orders/${orderId}/resend`, { token: stranger.access });
    expectProblem(res, 404);
    expectProblem(await api('POST', `/api/v1/orders/${MISSING_ID}/resend`, { token: buyer.access }), 404);
    expect(mail.to(stranger.email)).toEqual([]);
  });

  it('refuses unknown or server-owned fields, a NUL byte and ids out of range (422)', async () => {
    for (const body of [{ recipient_id: stranger.id }, { email: stranger.email }, { note: 'a\u0000b' }]) {
      expectProblem(await api('POST', `/api/v1/orders/${orderId}/resend`, { token: buyer.access, body }), 422);
    }
    for (const id of ['0', '2147483648', '-1']) {
      expectProblem(await api('POST', `/api/v1/orders/${id}/resend`, { token: buyer.access }), 422);
    }
  });

  it('refuses an order that is not paid (409)', async () => {
    const pending = await placeOrder(buyer, 1);
    expectProblem(await api('POST', `/api/v1/orders/${pending}/resend`, { token: buyer.access }), 409);
  });

  it('sends the delivery again for the buyer and for an admin, to the buyer', async () => {
    const mine = await api('POST', `/api/v1/orders/${orderId}/resend`, { token: buyer.access });
    expect(mine.status).toBe(202);
    expect(mine.body).toMatchObject({
      kind: 'ticket_delivery',
      recipient_id: buyer.id,
      order_id: orderId,
      status: 'queued',
    });
    const theirs = await api('POST', `/api/v1/orders/${orderId}/resend`, { token: admin.access });
    expect(theirs.status).toBe(202);
    await waitForMail(() => (deliveriesOf(buyer, orderId).length >= 3 ? true : undefined), 'two resent deliveries');
    await sleep(SETTLE_MS);
    expect(deliveriesOf(buyer, orderId)).toHaveLength(3);
    expect(mail.to(ADMIN.email)).toEqual([]);
  });

  it(`lets a user ask ${RESEND_LIMIT} times an hour, even all at once (429 beyond)`, async () => {
    // The buyer used one above; the admin's does not count against the buyer.
    const answers = await Promise.all(
      Array.from({ length: RESEND_LIMIT + 2 }, () =>
        api('POST', `/api/v1/orders/${orderId}/resend`, { token: buyer.access }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(RESEND_LIMIT - 1).fill(202), ...Array(3).fill(429)]);
    for (const refused of answers.filter((a) => a.status === 429)) expectProblem(refused, 429);
  });
});

describe('GET /notifications', () => {
  it("is an admin's: anyone else gets 403", async () => {
    expectProblem(await api('GET', '/api/v1/notifications', { token: buyer.access }), 403);
    expectProblem(await api('GET', '/api/v1/notifications', { token: organizer.access }), 403);
  });

  it('lists messages newest first, filtered by recipient, kind and status, a page at a time', async () => {
    const page = await api(
      'GET',
      `/api/v1/notifications?recipient_id=${buyer.id}&kind=ticket_delivery&status=sent&limit=2`,
      { token: admin.access },
    );
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ skip: 0, limit: 2, has_prev: false, has_next: true });
    expect(page.body.total).toBeGreaterThan(2);
    for (const item of page.body.items) {
      expect(item).toMatchObject({ recipient_id: buyer.id, kind: 'ticket_delivery', status: 'sent', attempts: 1 });
      expect(item.provider_message_id).toEqual(expect.any(String));
      expect(item.sent_at).toEqual(expect.any(String));
    }
    const ids = page.body.items.map((i: { id: number }) => i.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const next = await api(
      'GET',
      `/api/v1/notifications?recipient_id=${buyer.id}&kind=ticket_delivery&status=sent&skip=2&limit=2`,
      {
        token: admin.access,
      },
    );
    expect(next.body.items.map((i: { id: number }) => i.id)).not.toContain(ids[0]);
    const none = await api('GET', `/api/v1/notifications?recipient_id=${stranger.id}`, { token: admin.access });
    expect(none.body).toMatchObject({ items: [], total: 0 });
  });

  it('refuses unknown filters, values out of range and NUL bytes (422)', async () => {
    for (const query of [
      'kind=sms',
      'status=bounced',
      'limit=0',
      'limit=101',
      'skip=-1',
      'recipient_id=0',
      'secret=1',
      'kind=a%00b',
    ]) {
      expectProblem(await api('GET', `/api/v1/notifications?${query}`, { token: admin.access }), 422);
    }
  });
});

describe(`expiry notice (ORDER_HOLD_SECONDS=${SHORT_HOLD_SECONDS})`, () => {
  beforeAll(async () => {
    await Promise.all(cluster.processes.filter((p) => p.name === 'ordering').map((p) => p.stop()));
    // The notice follows the sweep that expires the order: every 500 ms here, not 5 s.
    await cluster.startService('ordering', {
      ORDER_HOLD_SECONDS: String(SHORT_HOLD_SECONDS),
      ORDER_EXPIRY_SWEEP_INTERVAL_MS: '500',
    });
    await waitFor(`${cluster.baseUrl}/health`, (status) => status === 200);
  });

  it('tells the buyer when an unpaid order lapses', async () => {
    const orderId = await placeOrder(buyer, 1);
    const notice = await waitForMail(() => messagesTo(buyer, new RegExp(`^Order #${orderId} expired$`))[0], 'expiry');
    expect(notice.parsed.text).toContain('was not paid in time');
  });
});

it('answered no request of this file with a 500', () => {
  expect(answered.filter((a) => a.status >= 500)).toEqual([]);
});
