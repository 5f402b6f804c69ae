import {
  eventually,
  openTestEventStream,
  startServiceNode,
  type ServiceNode,
  type TestEventStream,
} from '@ticketpro/shared/testing';
import { startMailCatcher, type MailCatcher } from '@ticketpro/tests/support/mail';
import { createNotificationsService } from '../../src';
import { orderCreated } from '../support/order-created';
import { publishBuyersAndEvent } from '../support/published-facts';

/**
 * A rush of orders through two notifications instances over real JetStream and SMTP: every
 * confirmation leaves as its order is handled, not at the dispatcher's next poll, and none twice.
 * The poll is set far beyond the test, so that only the wake after each commit can send them;
 * the old dispatcher (50 messages a run per instance, a run a poll) could send none in the bound.
 */
jest.setTimeout(120_000);

const ORDERS = 120;
const DELIVERED_WITHIN_MS = 30_000;
const POLL_MS = 600_000;
const EVENT_ID = 7;

let mail: MailCatcher;
let events: TestEventStream;
const nodes: ServiceNode<'notifications'>[] = [];

const buyerEmail = (i: number) => `buyer-${i}@rush.test`;

beforeAll(async () => {
  events = await openTestEventStream('rush');
  mail = await startMailCatcher();
  const config = {
    ...events.config,
    SMTP_URL: mail.url,
    MAIL_DISPATCH_INTERVAL_MS: POLL_MS,
  };
  const services = {
    notifications: (deps: Parameters<typeof createNotificationsService>[0]) => createNotificationsService(deps),
  };
  nodes.push(await startServiceNode({ label: 'notifications_rush', services, config }));
  nodes.push(
    await startServiceNode({
      label: 'notifications_rush_second',
      services,
      config: { ...config, DATABASE_URL: nodes[0].config.DATABASE_URL },
    }),
  );
});

afterAll(async () => {
  // The instance that made the database drops it: the other stops first.
  for (const node of [...nodes].reverse()) await node.stop();
  await events?.close();
  await mail?.close();
});

it(`sends each of ${ORDERS} confirmations once, within ${DELIVERED_WITHIN_MS / 1000} s, with two instances and no poll`, async () => {
  await publishBuyersAndEvent(
    events.publisher,
    { count: ORDERS, surname: 'Rush', email: buyerEmail },
    { id: EVENT_ID, event_name: 'Rush Night', location: 'Bulawayo', date: '2027-12-31T18:00:00.000Z' },
  );
  const db = nodes[0].db.notifications;
  await eventually(async () => {
    const [recipients, events] = await Promise.all([
      db('recipients').count({ n: '*' }).first(),
      db('events').count({ n: '*' }).first(),
    ]);
    return Number(recipients?.n) === ORDERS && Number(events?.n) === 1;
  }, 60_000);

  const started = Date.now();
  await Promise.all(
    Array.from({ length: ORDERS }, (_, i) =>
      events.publisher.publish(orderCreated(1000 + i, i + 1, EVENT_ID).envelope),
    ),
  );
  await eventually(async () => mail.received.length >= ORDERS, DELIVERED_WITHIN_MS);
  const tookMs = Date.now() - started;
  // Long enough for a message sent twice to show.
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  expect(tookMs).toBeLessThan(DELIVERED_WITHIN_MS);
  expect(mail.received).toHaveLength(ORDERS);
  expect(new Set(mail.received.map((m) => m.to))).toEqual(
    new Set(Array.from({ length: ORDERS }, (_, i) => buyerEmail(i + 1))),
  );
  expect(mail.received.every((m) => m.parsed.subject?.includes('your tickets are held'))).toBe(true);
  const statuses = await db('messages').groupBy('status').select('status').count({ n: '*' });
  expect(statuses).toEqual([{ status: 'sent', n: ORDERS }]);
});
