import { createEvent, createTicketType } from '../support/sales';
import { startCluster, type Cluster } from '../support/cluster';
import type { RunningProcess } from '../support/processes';
import { startMailCatcher, waitForMail, type MailCatcher, type ReceivedMail } from '../support/mail';
import { waitForTicketCount } from '../support/tickets';
import { login, register, type Registered } from '../support/users';

jest.setTimeout(180_000);

const ADMIN = { email: 'admin@delivery.test', password: 'Admin-Passw0rd-Strong' };
/** How long a test waits, once the expected messages are there, for any duplicate to turn up. */
const SETTLE_MS = 4_000;
/** Short, so that waiting for two sweeps of each instance takes seconds. */
const REMINDER_SWEEP_SECONDS = 2;
/** The message of the batch whose send is in flight when its sender is killed. */
const KILLED_DURING_MESSAGE = 3;
const HOUR_MS = 3_600_000;

let cluster: Cluster;
let mail: MailCatcher;
let adminAccess: string;
let organizer: Registered;
let event: { id: number };
let ticketType: { id: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const notificationProcesses = () => cluster.processes.filter((p) => p.name === 'notifications');

beforeAll(async () => {
  mail = await startMailCatcher();
  cluster = await startCluster('e2e_notify_delivery', {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SMTP_URL: mail.url,
    MAIL_RETRY_SECONDS: '1',
    REMINDER_BEFORE: '2h',
    REMINDER_SWEEP_SECONDS: String(REMINDER_SWEEP_SECONDS),
  });
  adminAccess = (await login(cluster.api, ADMIN.email, ADMIN.password)).access;
  organizer = await register(cluster.api, { role: 'organizer' });
  // An hour away: within REMINDER_BEFORE from the start.
  event = await createEvent(cluster.api, organizer.access, { date: new Date(Date.now() + HOUR_MS).toISOString() });
  ticketType = await createTicketType(cluster.api, organizer.access, event.id, { quantity: 1000 });
});
afterAll(async () => {
  await cluster?.stop();
  await mail?.close();
});

async function placeOrder(buyer: Registered): Promise<number> {
  const res = await cluster.api('POST', '/api/v1/orders', {
    token: buyer.access,
    body: { event_id: event.id, payment_method: 'ecocash', items: [{ ticket_type_id: ticketType.id, quantity: 1 }] },
  });
  if (res.status !== 201) throw new Error(`order: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

async function buy(buyer: Registered): Promise<number> {
  const orderId = await placeOrder(buyer);
  const paid = await cluster.api('POST', `/api/v1/orders/${orderId}/pay`, { token: buyer.access });
  if (paid.status !== 200) throw new Error(`pay: ${paid.status} ${JSON.stringify(paid.body)}`);
  return orderId;
}

const deliveries = (buyer: Registered): ReceivedMail[] =>
  mail.to(buyer.email).filter((m) => m.parsed.subject?.startsWith('Your tickets for'));
const reminders = (buyer: Registered): ReceivedMail[] =>
  mail.to(buyer.email).filter((m) => m.parsed.subject?.startsWith('Reminder: '));

async function notificationsOf(buyer: Registered, kind: string) {
  const res = await cluster.api('GET', `/api/v1/notifications?recipient_id=${buyer.id}&kind=${kind}`, {
    token: adminAccess,
  });
  return res.body.items as { status: string; attempts: number; last_error: string | null }[];
}

it('retries while the SMTP server is down, then sends the message once it is back', async () => {
  const buyer = await register(cluster.api);
  await mail.down();
  try {
    await buy(buyer);
    // At least one attempt failed and was recorded, and the message waits for the next.
    const deadline = Date.now() + 30_000;
    let state = await notificationsOf(buyer, 'ticket_delivery');
    while (!(state[0]?.attempts >= 1) && Date.now() < deadline) {
      await sleep(300);
      state = await notificationsOf(buyer, 'ticket_delivery');
    }
    expect(state).toEqual([expect.objectContaining({ status: 'queued', last_error: expect.any(String) })]);
    expect(state[0].attempts).toBeGreaterThanOrEqual(1);
    await sleep(2_000);
    expect(deliveries(buyer)).toEqual([]);
  } finally {
    await mail.up();
  }
  await waitForMail(() => deliveries(buyer)[0], 'delivery after the server came back', 60_000);
  await sleep(SETTLE_MS);
  expect(deliveries(buyer)).toHaveLength(1);
  const [sent] = await notificationsOf(buyer, 'ticket_delivery');
  expect(sent.status).toBe('sent');
  expect(sent.attempts).toBeGreaterThanOrEqual(2);
});

it('sends every message once when the notifications instance is killed in the middle of a batch and restarted', async () => {
  const buyers = await Promise.all(Array.from({ length: 8 }, () => register(cluster.api)));
  // Paid while no instance runs, so that the next one finds a whole batch waiting.
  await Promise.all(notificationProcesses().map((p) => p.stop()));
  const orders = await Promise.all(buyers.map((b) => buy(b)));
  await Promise.all(buyers.map((b, i) => waitForTicketCount(cluster.api, b.access, orders[i], 1)));
  // Killed while the server holds its answer to the third message: the first two were accepted
  // (and, sends being one at a time, committed as sent), the third was transmitted but never
  // acknowledged. A kill between an acceptance and its commit could send one twice, which no mail
  // protocol rules out; this test pins the kill outside that window, so any duplicate is a defect.
  const receivedBefore = mail.received.length;
  const inFlight = mail.holdMessage(KILLED_DURING_MESSAGE);
  const instance = await cluster.startService('notifications');
  const held = await inFlight;
  await killNow(instance);
  await held.senderGone();
  held.release();
  expect(mail.received.length - receivedBefore).toBe(KILLED_DURING_MESSAGE - 1);

  await cluster.startService('notifications');
  await waitForMail(
    () => (buyers.every((b) => deliveries(b).length > 0) ? true : undefined),
    'every delivery after the restart',
    60_000,
  );
  await sleep(SETTLE_MS);
  expect(buyers.map((b) => deliveries(b).length)).toEqual(buyers.map(() => 1));
  // Nor any other message sent twice: every subject once per buyer.
  for (const buyer of buyers) {
    const subjects = mail.to(buyer.email).map((m) => m.parsed.subject);
    expect(subjects).toEqual([...new Set(subjects)]);
  }
});

it('reminds each paid order once, an hour before its event, with two instances sweeping', async () => {
  await cluster.startService('notifications');
  expect(notificationProcesses().filter((p) => p.child.exitCode === null && p.child.signalCode === null)).toHaveLength(
    2,
  );
  const paying = await Promise.all(Array.from({ length: 3 }, () => register(cluster.api)));
  const unpaid = await register(cluster.api);
  await Promise.all(paying.map((b) => buy(b)));
  await placeOrder(unpaid);

  await waitForMail(
    () => (paying.every((b) => reminders(b).length > 0) ? true : undefined),
    'a reminder for every paid order',
    60_000,
  );
  // Two sweeps of each instance at least.
  await sleep(2.5 * REMINDER_SWEEP_SECONDS * 1000);
  expect(paying.map((b) => reminders(b).length)).toEqual([1, 1, 1]);
  expect(reminders(unpaid)).toEqual([]);
  // And the orders paid in the tests before: one each too, never two.
  const all = mail.received.filter((m) => m.parsed.subject?.startsWith('Reminder: '));
  expect(new Set(all.map((m) => m.to)).size).toBe(all.length);
  expect(reminders(paying[0])[0].parsed.text).toContain('coming up soon');
});

/** SIGKILL, and waits for the process to be gone. */
async function killNow(proc: RunningProcess): Promise<void> {
  await proc.stop('SIGKILL');
}
