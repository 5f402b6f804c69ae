import { Client } from 'pg';
import { connect, headers as natsHeaders } from 'nats';
import { createEvent as createEventBy, createTicketType as createTicketTypeBy } from '../support/sales';
import { startCluster, type Cluster } from '../support/cluster';
import { waitFor, type ApiResponse, type RequestOptions } from '../support/http';
import { decodeInlineQrCodes, pdfPageCount, startMailCatcher, waitForMail, type MailCatcher } from '../support/mail';
import { waitForTicketCount, type TicketView } from '../support/tickets';
import { expectProblem, login, register, type Registered } from '../support/users';

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
const answered: { request: string; status: number }[] = [];

async function api(method: string, path: string, options?: RequestOptions): Promise<ApiResponse> {
  const res = await cluster.api(method, path, options);
  answered.push({ request: `${method} ${path}`, status: res.status });
  return res;
}

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
