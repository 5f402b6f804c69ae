import type { Knex } from 'knex';
import {
  createTestDatabase,
  eventually,
  openSchema,
  openTestEventStream,
  startServiceNode,
  type ServiceNode,
  type TestDatabase,
  type TestEventStream,
} from '@ticketpro/shared/testing';
import { startMailCatcher, type HeldMessage, type MailCatcher } from '@ticketpro/tests/support/mail';
import { createNotificationsService } from '../../src';
import { orderCreated } from '../support/order-created';
import { publishBuyersAndEvent } from '../support/published-facts';

/**
 * A notifications instance stopped while its dispatcher works through a full queue (the rolling
 * restart's case: under load, the other instances keep the queue full). The stop waits for the
 * message being sent and for nothing more: what is still queued is left for the next instance,
 * which sends it, each message once. A stop that waited for the queue to empty could outlast a
 * supervisor's grace period and be killed.
 */
jest.setTimeout(120_000);

const ORDERS = 40;
/** The send held in flight while the instance is told to stop. */
const HELD_SEND = 3;
const EVENT_ID = 11;

let mail: MailCatcher;
let events: TestEventStream;
let database: TestDatabase;
let db: Knex;
const nodes: ServiceNode<'notifications'>[] = [];

const buyerEmail = (i: number) => `buyer-${i}@stop.test`;

const startInstance = async (label: string) => {
  const node = await startServiceNode({
    label,
    services: { notifications: (deps) => createNotificationsService(deps) },
    config: {
      ...events.config,
      DATABASE_URL: database.url,
      SMTP_URL: mail.url,
      // The poll's run shares the drain under way: a stop waiting for its task waits for the drain.
      MAIL_DISPATCH_INTERVAL_MS: 100,
    },
  });
  nodes.push(node);
  return node;
};

const statusCounts = async () => {
  const rows: { status: string; n: string }[] = await db('messages')
    .groupBy('status')
    .select('status')
    .count({ n: '*' });
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
};

beforeAll(async () => {
  events = await openTestEventStream('dispatcher-stop');
  mail = await startMailCatcher();
  database = await createTestDatabase('notifications_stop');
  db = openSchema(database.url, 'notifications');
});

afterAll(async () => {
  for (const node of nodes) await node.stop();
  await db?.destroy();
  await database?.drop();
  await events?.close();
  await mail?.close();
});

it('stops after the send in flight, and the next instance sends what was left queued, each once', async () => {
  const first = await startInstance('notifications_stopping');
  await publishBuyersAndEvent(
    events.publisher,
    { count: ORDERS, surname: 'Stop', email: buyerEmail },
    { id: EVENT_ID, event_name: 'Last Call', location: 'Mutare', date: '2027-11-30T18:00:00.000Z' },
  );
  await eventually(async () => Number((await db('recipients').count({ n: '*' }).first())?.n) === ORDERS, 60_000);

  const heldSend: Promise<HeldMessage> = mail.holdMessage(HELD_SEND);
  await Promise.all(
    Array.from({ length: ORDERS }, (_, i) =>
      events.publisher.publish(orderCreated(2000 + i, i + 1, EVENT_ID).envelope),
    ),
  );
  const held = await heldSend;
  await eventually(async () => Number((await db('messages').count({ n: '*' }).first())?.n) === ORDERS, 60_000);

  nodes.splice(nodes.indexOf(first), 1);
  const stopped = first.stop();
  // Time for the stop to reach the dispatcher before the send in flight is answered.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  held.release();
  await stopped;

  const sentByTheFirst = mail.received.length;
  expect(sentByTheFirst).toBe(HELD_SEND);
  expect(await statusCounts()).toEqual({ sent: HELD_SEND, queued: ORDERS - HELD_SEND });

  await startInstance('notifications_next');
  await eventually(async () => mail.received.length >= ORDERS, 60_000);
  // Long enough for a message sent twice to show.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(mail.received.map((m) => m.to).sort()).toEqual(
    Array.from({ length: ORDERS }, (_, i) => buyerEmail(i + 1)).sort(),
  );
  expect(await statusCounts()).toEqual({ sent: ORDERS });
});
