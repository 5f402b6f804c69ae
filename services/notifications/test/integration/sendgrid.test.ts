import { PNG } from 'pngjs';
import jsQR from 'jsqr';
import { createDatabase, createLogger, loadConfig, outboxEntry, type Database } from '@ticketpro/shared';
import { createTestDatabase, type TestDatabase } from '@ticketpro/shared/testing';
import { migrations } from '../../migrations';
import { applyCatalogEvent } from '../../src/projections/apply-catalog-event';
import { applyOrderEvents } from '../../src/projections/apply-order-events';
import { applyTicketEvent } from '../../src/projections/apply-ticket-event';
import { sendDueMessages, type Dispatcher } from '../../src/delivery/dispatch';
import { selectMailProvider } from '../../src/delivery/select-provider';
import { SendGridStandIn } from '../support/sendgrid-stand-in';
import { testComposer } from '../support/test-composer';
import { applyEntry, createEvent, registerBuyer } from '../support/feed-projections';

/**
 * The SendGrid path: projections fed by events, a ticket delivery composed and sent with
 * @sendgrid/mail to a stand-in, through the provider the service picks from its settings
 * (`SENDGRID_API_KEY`, and `SENDGRID_API_URL` pointing at the stand-in).
 */
let database: TestDatabase;
let db: Database;
let standIn: SendGridStandIn;
let dispatcher: Dispatcher;
const API_KEY = 'SG.test-key';
const RETRY_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  database = await createTestDatabase('notifications_sendgrid');
  db = await createDatabase({ schema: 'notifications', url: database.url, dataDir: '.data', migrations });
  standIn = new SendGridStandIn();
  const apiUrl = await standIn.start();
  const logger = createLogger('sendgrid-test', 'silent');
  const provider = selectMailProvider(loadConfig({ SENDGRID_API_KEY: API_KEY, SENDGRID_API_URL: apiUrl }), logger);
  expect(provider.name).toBe('sendgrid');
  dispatcher = {
    db,
    composer: testComposer(),
    provider,
    policy: { maxAttempts: 3, retryAfterMs: RETRY_MS },
    logger,
    claimsSeveral: true,
  };
});
afterAll(async () => {
  await dispatcher?.provider.close();
  await db?.destroy();
  await standIn?.stop();
  await database?.drop();
});

let nextOrderId = 100;

/** A buyer, an event, its ticket type and a paid order whose `count` tickets were issued: a ticket delivery queued. */
async function paidOrderWithTickets(count: number) {
  const orderId = nextOrderId++;
  const userId = orderId + 1000;
  await registerBuyer(db, { id: userId, email: `nyasha.${userId}@example.test` });
  await createEvent(db);
  await applyEntry(
    db,
    applyCatalogEvent,
    outboxEntry('catalog.ticket_type.created', {
      id: 9,
      event_id: 7,
      name: 'Weekend pass',
      price: '45.00' as never,
      currency: 'USD',
      quantity: 100,
    }),
  );
  await applyEntry(
    db,
    (trx, envelope: never) => applyOrderEvents([envelope], trx),
    outboxEntry('ordering.order.paid', {
      id: orderId,
      user_id: userId,
      event_id: 7,
      total_price: `${45 * count}.00` as never,
      currency: 'USD',
      payment_status: 'completed',
      payment_method: 'ecocash',
      expires_at: null,
      items: [{ ticket_type_id: 9, quantity: count, unit_price: '45.00' as never }],
    }),
  );
  const tickets = Array.from({ length: count }, (_, i) => ({
    id: orderId * 10 + i,
    ticket_type_id: 9,
    seat_number: i === 0 ? 'A 1' : null,
    qr_code: `TP1.${orderId}.${i}.signed-code`,
  }));
  await applyEntry(
    db,
    applyTicketEvent,
    outboxEntry('ticketing.order_tickets.issued', { order_id: orderId, user_id: userId, event_id: 7, tickets }),
  );
  return { orderId, userId, tickets };
}

const stateOf = (orderId: number) =>
  db('messages')
    .where({ order_id: orderId, kind: 'ticket_delivery' })
    .first('status', 'attempts', 'provider_message_id', 'last_error');

describe('the SendGrid provider', () => {
  it('sends a ticket delivery through the v3 API: the key, both parts, each QR inline, the PDF attached', async () => {
    const { orderId, userId, tickets } = await paidOrderWithTickets(2);
    expect(await sendDueMessages(dispatcher)).toBe(1);

    expect(standIn.requests).toHaveLength(1);
    const [{ authorization, body }] = standIn.requests;
    expect(authorization).toBe(`Bearer ${API_KEY}`);
    expect(body.personalizations[0].to).toEqual([{ email: `nyasha.${userId}@example.test`, name: 'Nyasha Gumbo' }]);
    expect(body.from).toEqual({ email: 'tickets@ticketpro.test', name: 'TicketPro' });
    expect(body.subject).toBe('Your tickets for Victoria Falls Carnival');
    expect(body.content.map((c) => c.type)).toEqual(['text/plain', 'text/html']);
    expect(body.headers?.['Message-ID']).toMatch(/^<notification-\d+\.\d+@ticketpro\.test>$/);

    const inline = (body.attachments ?? []).filter((a) => a.disposition === 'inline');
    const codes = inline.map((a) => {
      const png = PNG.sync.read(Buffer.from(a.content, 'base64'));
      return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
    });
    expect(codes).toEqual(tickets.map((t) => t.qr_code));
    for (const image of inline) expect(body.content[1].value).toContain(`cid:${image.content_id}`);
    const pdf = (body.attachments ?? []).filter((a) => a.type === 'application/pdf');
    expect(pdf).toHaveLength(1);
    expect(
      Buffer.from(pdf[0].content, 'base64')
        .toString('latin1')
        .match(/\/Type\s*\/Page(?![a-z])/g),
    ).toHaveLength(2);

    expect(await stateOf(orderId)).toEqual({
      status: 'sent',
      attempts: 1,
      provider_message_id: 'sg-1',
      last_error: null,
    });
  });

  it('records each failed attempt and tries again; after the last one the message is failed', async () => {
    const retried = await paidOrderWithTickets(1);
    standIn.failNext(1);
    await sendDueMessages(dispatcher);
    expect(await stateOf(retried.orderId)).toMatchObject({
      status: 'queued',
      attempts: 1,
      last_error: expect.any(String),
    });
    await sleep(RETRY_MS * 4);
    await sendDueMessages(dispatcher);
    expect(await stateOf(retried.orderId)).toMatchObject({ status: 'sent', attempts: 2, last_error: null });

    const abandoned = await paidOrderWithTickets(1);
    standIn.failNext(3);
    for (let i = 0; i < 3; i++) {
      await sendDueMessages(dispatcher);
      await sleep(RETRY_MS * 4);
    }
    expect(await stateOf(abandoned.orderId)).toMatchObject({
      status: 'failed',
      attempts: 3,
      provider_message_id: null,
    });
    // Given up: not tried again.
    const before = standIn.requests.length;
    await sendDueMessages(dispatcher);
    expect(standIn.requests).toHaveLength(before);
  });

  it('queues nothing more for a ticket event handled twice', async () => {
    const { orderId } = await paidOrderWithTickets(1);
    const [issued] = await db('messages').where({ order_id: orderId });
    const again = await db.transaction(async (trx) => {
      const { enqueueMessage } = await import('../../src/messages/enqueue');
      return enqueueMessage(trx, {
        source: issued.source,
        recipientId: issued.recipient_id,
        kind: 'ticket_delivery',
        orderId,
      });
    });
    expect(again).toBeUndefined();
    expect(await db('messages').where({ order_id: orderId })).toHaveLength(1);
  });
});
