import { createDatabase, type Database } from '@ticketpro/shared';
import { createTestDatabase, knexStatementsDuring, type TestDatabase } from '@ticketpro/shared/testing';
import { migrations } from '../../migrations';
import { queueReminders } from '../../src/reminders/queue-reminders';

/** The reminder sweep on real Postgres: once per paid order, however often and however many sweep. */
let database: TestDatabase;
let db: Database;
const HOUR_MS = 3_600_000;
const REMIND_BEFORE_MS = 2 * HOUR_MS;

beforeAll(async () => {
  database = await createTestDatabase('notifications_reminders');
  db = await createDatabase({ schema: 'notifications', url: database.url, dataDir: '.data', migrations });
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

let nextId = 1;

/** An event starting `inMs` from now, as the projection keeps it. */
async function eventIn(inMs: number): Promise<number> {
  const eventId = nextId++;
  await db('events').insert({
    event_id: eventId,
    event_name: `Event ${eventId}`,
    location: 'Harare Gardens',
    date: new Date(Date.now() + inMs),
    organizer_id: 1,
    as_of: new Date(),
  });
  return eventId;
}

/** An order of the event, as the projection keeps it. */
async function orderOf(eventId: number, paymentStatus: string): Promise<number> {
  const orderId = nextId++;
  await db('orders').insert({
    order_id: orderId,
    user_id: orderId + 1000,
    event_id: eventId,
    payment_status: paymentStatus,
    total_price: '19.99',
    currency: 'USD',
    items: JSON.stringify([{ ticket_type_id: 1, quantity: 1, unit_price: '19.99' }]),
    as_of: new Date(),
  });
  return orderId;
}

const lastMessageId = async () =>
  Number((await db.raw(`SELECT last_value FROM messages_id_seq`)).rows[0].last_value as string);
const remindedOrders = async () =>
  (await db('messages').where('kind', 'event_reminder').orderBy('order_id').select('order_id')).map((r) => r.order_id);

it("queues each paid order's reminder once its event is within the time, once, even with two sweeps at once", async () => {
  const soon = await eventIn(HOUR_MS);
  const later = await eventIn(3 * HOUR_MS);
  const paid = [await orderOf(soon, 'completed'), await orderOf(soon, 'completed')];
  await orderOf(soon, 'pending');
  await orderOf(soon, 'refunded');
  await orderOf(later, 'completed');

  const [first, second] = await Promise.all([
    queueReminders(db, REMIND_BEFORE_MS),
    queueReminders(db, REMIND_BEFORE_MS),
  ]);
  expect(first + second).toBe(2);
  expect(await remindedOrders()).toEqual(paid);
});

it('uses up no message id on a sweep that finds every order reminded already', async () => {
  const soon = await eventIn(HOUR_MS);
  await orderOf(soon, 'completed');
  await queueReminders(db, REMIND_BEFORE_MS);
  const before = await lastMessageId();

  const statements = await knexStatementsDuring(db, async () => {
    for (let sweep = 0; sweep < 5; sweep++) expect(await queueReminders(db, REMIND_BEFORE_MS)).toBe(0);
  });
  expect(await lastMessageId()).toBe(before);
  // Run every 10 s, the sweep goes straight through the driver, not knex's runner.
  expect(statements).toEqual([]);

  // An order paid since is reminded at the next sweep, with the next id.
  const paidSince = await orderOf(soon, 'completed');
  expect(await queueReminders(db, REMIND_BEFORE_MS)).toBe(1);
  const [{ id }] = await db('messages').where({ kind: 'event_reminder', order_id: paidSince }).select('id');
  expect(id).toBe(before + 1);
});
