import { Client } from 'pg';
import { createDatabase, createLogger, type Database } from '@ticketpro/shared';
import { createTestDatabase, type TestDatabase } from '@ticketpro/shared/testing';
import { migrations } from '../../migrations';
import { applyOrderEvents } from '../../src/projections/apply-order-events';
import { sendDueMessages, type Dispatcher } from '../../src/delivery/dispatch';
import { MailDispatcher } from '../../src/delivery/mail-dispatcher';
import type { MailProvider, OutgoingMail } from '../../src/delivery/provider';
import { testComposer } from '../support/test-composer';
import { orderCreated } from '../support/order-created';
import { applyEntry, createEvent, registerBuyer } from '../support/feed-projections';

/**
 * The dispatcher on Postgres, where a run claims several messages with one statement: instances
 * never send one message twice, and a sender whose connection dies in the middle of a claim (as
 * when its process is killed) leaves the rest of the claim queued for the next.
 */
let database: TestDatabase;
let db: Database;
let admin: Client;
const logger = createLogger('dispatch-test', 'silent');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A provider that records every message it accepts, after `beforeAccepting` (a delay, a failure). */
function recordingProvider(
  accepted: string[],
  beforeAccepting: (count: number) => Promise<void> = async () => undefined,
) {
  let count = 0;
  const provider: MailProvider = {
    name: 'recording',
    async send(mail: OutgoingMail) {
      await beforeAccepting(++count);
      accepted.push(mail.messageId);
      return `accepted-${accepted.length}`;
    },
    close: async () => undefined,
  };
  return provider;
}

const dispatcherWith = (provider: MailProvider): Dispatcher => ({
  db,
  composer: testComposer(),
  provider,
  policy: { maxAttempts: 3, retryAfterMs: 60_000 },
  logger,
  claimsSeveral: true,
});

let nextOrderId = 1;

/** `count` orders placed by one buyer: an order confirmation queued for each. */
async function queueConfirmations(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const id = nextOrderId++;
    await applyEntry(db, (trx, envelope: never) => applyOrderEvents([envelope], trx), orderCreated(id, 5, 7));
  }
}

const queued = async () => Number((await db('messages').where('status', 'queued').count({ n: '*' }))[0].n);

beforeAll(async () => {
  database = await createTestDatabase('notifications_dispatch');
  db = await createDatabase({ schema: 'notifications', url: database.url, dataDir: '.data', migrations });
  admin = new Client({ connectionString: database.url });
  await admin.connect();
  await registerBuyer(db, { id: 5, email: 'nyasha@example.test' });
  await createEvent(db);
});
afterAll(async () => {
  await admin?.end();
  await db?.destroy();
  await database?.drop();
});

afterEach(async () => {
  await db('messages').delete();
});

it('sends every message once with two dispatchers at work at once', async () => {
  await queueConfirmations(24);
  const accepted: string[] = [];
  const slow = () =>
    recordingProvider(accepted, async () => {
      await sleep(10);
    });
  const [first, second] = [dispatcherWith(slow()), dispatcherWith(slow())];
  while ((await queued()) > 0) await Promise.all([sendDueMessages(first), sendDueMessages(second)]);

  expect(accepted).toHaveLength(24);
  expect(new Set(accepted).size).toBe(24);
  expect(await queued()).toBe(0);
  expect(await db('messages').whereNot('status', 'sent').count({ n: '*' })).toEqual([{ n: 0 }]);
});

it('sends a backlog of more than fifty in one drain, and every message queued while it drains', async () => {
  await queueConfirmations(120);
  const accepted: string[] = [];
  const mail = new MailDispatcher(dispatcherWith(recordingProvider(accepted)));
  await mail.drain();
  expect(accepted).toHaveLength(120);

  // Woken while a drain is under way, after that drain's claim looked at the queue: it goes round
  // again, and what was queued meanwhile is sent before it resolves.
  let open = () => undefined as void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const gatedMail = new MailDispatcher(dispatcherWith(recordingProvider(accepted, () => gate)));
  await queueConfirmations(3);
  const first = gatedMail.drain();
  await queueConfirmations(7);
  const second = gatedMail.drain();
  expect(second).toBe(first);
  open();
  await second;
  expect(accepted).toHaveLength(130);
  expect(new Set(accepted).size).toBe(130);
  expect(await queued()).toBe(0);
});

it('leaves the rest of a claim queued when its sender dies in the middle, and sends none of it twice', async () => {
  await queueConfirmations(6);
  const accepted: string[] = [];
  // Before accepting the third, the sender's connection is cut, as its process's death would.
  const dying = recordingProvider(accepted, async (count) => {
    if (count !== 3) return;
    // Only this test's database: other runs on the machine hold advisory locks too.
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    throw new Error('the sender died');
  });
  await expect(sendDueMessages(dispatcherWith(dying))).rejects.toThrow();
  expect(accepted).toHaveLength(2);
  expect(await queued()).toBe(4);

  await sendDueMessages(dispatcherWith(recordingProvider(accepted)));
  expect(accepted).toHaveLength(6);
  expect(new Set(accepted).size).toBe(6);
  expect(await queued()).toBe(0);
});

describe.each([
  ['a claim of several (Postgres)', true],
  ['a transaction per message (PGlite)', false],
])('records how each send went, on %s', (_path, claimsSeveral) => {
  const run = (provider: MailProvider) => sendDueMessages({ ...dispatcherWith(provider), claimsSeveral });
  const rowOf = async (orderId: number) => db('messages').where('order_id', orderId).first();
  const refusing = () =>
    recordingProvider([], async () => {
      throw new Error('the server said no');
    });
  /** Within a second of `now + ms`. */
  const expectDueIn = (due: Date, ms: number) =>
    expect(Math.abs(due.getTime() - (Date.now() + ms))).toBeLessThan(1_000);

  it('sent: status, attempt, provider id and time', async () => {
    await queueConfirmations(1);
    await run(recordingProvider([]));
    const row = await rowOf(nextOrderId - 1);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: 'accepted-1', last_error: null });
    expect(row.next_attempt_at).toBeNull();
    expect(Math.abs(row.sent_at.getTime() - Date.now())).toBeLessThan(5_000);
  });

  it('refused: tried again later, then given up after the last attempt', async () => {
    await queueConfirmations(1);
    const orderId = nextOrderId - 1;
    await run(refusing());
    const row = await rowOf(orderId);
    expect(row).toMatchObject({ status: 'queued', attempts: 1, last_error: 'the server said no', sent_at: null });
    expectDueIn(row.next_attempt_at, 60_000);

    await db('messages').where('id', row.id).update({ attempts: 2, next_attempt_at: db.fn.now() });
    await run(refusing());
    expect(await rowOf(orderId)).toMatchObject({ status: 'failed', attempts: 3, next_attempt_at: null, sent_at: null });
  });

  it('its recipient not known yet: looked at again soon, no attempt used', async () => {
    const orderId = nextOrderId++;
    await applyEntry(db, (trx, envelope: never) => applyOrderEvents([envelope], trx), orderCreated(orderId, 77, 7));
    await run(recordingProvider([]));
    const row = await rowOf(orderId);
    expect(row).toMatchObject({ status: 'queued', attempts: 0, last_error: 'no address known for user 77' });
    expectDueIn(row.next_attempt_at, 2_000);
  });

  it('obsolete: failed without an attempt', async () => {
    await db('messages').insert({ source: `obsolete-${claimsSeveral}`, recipient_id: 5, kind: 'order_confirmation' });
    await run(recordingProvider([]));
    const row = await db('messages').where('source', `obsolete-${claimsSeveral}`).first();
    expect(row).toMatchObject({ status: 'failed', attempts: 0, next_attempt_at: null });
    expect(row.last_error).toMatch(/^not sent: a order_confirmation message must name its order/);
  });
});
