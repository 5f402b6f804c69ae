import { connect, type NatsConnection } from 'nats';
import { JetStreamPublisher, outboxEntry } from '@ticketpro/shared';
import {
  assertNatsReachable,
  eventually,
  startServiceNode,
  testNatsUrl,
  uniqueName,
  type ServiceNode,
} from '@ticketpro/shared/testing';
import { startMailCatcher, type MailCatcher } from '@ticketpro/tests/support/mail';
import { createNotificationsService } from '../../src';
import { orderCreated } from '../support/order-created';

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
const prefix = uniqueName('tp');
const stream = uniqueName('TP').toUpperCase();

let mail: MailCatcher;
let publisher: JetStreamPublisher;
let nc: NatsConnection;
const nodes: ServiceNode<'notifications'>[] = [];

const buyerEmail = (i: number) => `buyer-${i}@rush.test`;

beforeAll(async () => {
  await assertNatsReachable();
  mail = await startMailCatcher();
  publisher = await JetStreamPublisher.connect({
    url: testNatsUrl(),
    stream,
    subjectPrefix: prefix,
    connectionName: 'rush',
  });
  nc = await connect({ servers: testNatsUrl() });
  const config = {
    NATS_URL: testNatsUrl(),
    EVENT_SUBJECT_PREFIX: prefix,
    EVENT_STREAM: stream,
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
  await publisher?.close();
  if (nc) {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
  await mail?.close();
});

it(`sends each of ${ORDERS} confirmations once, within ${DELIVERED_WITHIN_MS / 1000} s, with two instances and no poll`, async () => {
  // The buyers and the event first, so that no confirmation waits for its facts (a wait the poll ends).
  for (let i = 1; i <= ORDERS; i++) {
    await publisher.publish(
      outboxEntry('identity.user.registered', {
        id: i,
        firstname: `Buyer${i}`,
        surname: 'Rush',
        role: 'user',
        active: true,
        email: buyerEmail(i),
      }).envelope,
    );
  }
  await publisher.publish(
    outboxEntry('catalog.event.created', {
      id: EVENT_ID,
      event_name: 'Rush Night',
      organizer_id: 3,
      location: 'Bulawayo',
      date: '2027-12-31T18:00:00.000Z',
      capacity: null,
    }).envelope,
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
    Array.from({ length: ORDERS }, (_, i) => publisher.publish(orderCreated(1000 + i, i + 1, EVENT_ID).envelope)),
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
