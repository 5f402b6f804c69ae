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
