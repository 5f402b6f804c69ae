import { createDatabase, createLogger, outboxEntry, type Database } from '@ticketpro/shared';
import { createTestDatabase, type TestDatabase } from '@ticketpro/shared/testing';
import { migrations } from '../../migrations';
import { applyTicketEvent } from '../../src/projections/apply-ticket-event';
import { sendDueMessages, type Dispatcher } from '../../src/delivery/dispatch';
import type { MailProvider, OutgoingMail } from '../../src/delivery/provider';
import { testComposer } from '../support/test-composer';
import { applyEntry, createEvent, registerBuyer } from '../support/feed-projections';

/**
 * A transfer offer's mail is sent while the offer is open, and never once it has lapsed: a
 * recipient is not invited to accept what ticketing would refuse (409 expired).
 */
let database: TestDatabase;
let db: Database;
let dispatcher: Dispatcher;
const RETRY_MS = 300;
const EVENT_ID = 7;
const OWNER_ID = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The mail server: records what it accepts, and refuses the next `failures` messages. */
class RecordingMailServer implements MailProvider {
  readonly name = 'recording';
  readonly accepted: OutgoingMail[] = [];
  failures = 0;

  async send(mail: OutgoingMail): Promise<string> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('421 service not available');
    }
    this.accepted.push(mail);
    return `recorded-${this.accepted.length}`;
  }

  async close(): Promise<void> {}
}
const server = new RecordingMailServer();

let nextTransferId = 1;

/** Ticketing's `ticket.transfer_offered` for an offer lapsing at `expiresAt`, as notifications receives it. */
async function offerArrives(expiresAt: Date): Promise<{ transferId: number; to: string }> {
  const transferId = nextTransferId++;
  const to = `friend.${transferId}@example.test`;
  await applyEntry(
    db,
    applyTicketEvent,
    outboxEntry('ticketing.ticket.transfer_offered', {
      transfer_id: transferId,
      ticket_id: 500 + transferId,
      event_id: EVENT_ID,
      from_user_id: OWNER_ID,
      recipient_email: to,
      message: null,
      expires_at: expiresAt.toISOString(),
    }),
  );
  return { transferId, to };
}

const stateOf = (to: string) =>
  db('messages').where({ recipient_email: to, kind: 'transfer_offer' }).first('status', 'attempts', 'last_error');
const mailTo = (to: string) => server.accepted.filter((m) => m.to.address === to);

beforeAll(async () => {
  database = await createTestDatabase('notifications_transfer_offer');
  db = await createDatabase({ schema: 'notifications', url: database.url, dataDir: '.data', migrations });
  dispatcher = {
    db,
    composer: testComposer(),
    provider: server,
    policy: { maxAttempts: 5, retryAfterMs: RETRY_MS },
    logger: createLogger('transfer-offer-test', 'silent'),
    claimsSeveral: true,
  };
  await registerBuyer(db, { id: OWNER_ID, firstname: 'Farai', surname: 'Mlambo', email: 'farai@example.test' });
  await createEvent(db, { id: EVENT_ID, event_name: 'Transfer Night', location: 'Harare' });
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe("a transfer offer's mail", () => {
  it('goes to the address typed while the offer is open, with how to accept it', async () => {
    const { transferId, to } = await offerArrives(new Date(Date.now() + 3_600_000));
    await sendDueMessages(dispatcher);
    const [mail] = mailTo(to);
    expect(mail.subject).toBe('A ticket for Transfer Night is offered to you');
    expect(mail.text).toContain(`/api/v1/tickets/transfers/${transferId}/accept`);
    expect(await stateOf(to)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('is not sent when the offer arrives already lapsed (the consumer was behind)', async () => {
    const { to } = await offerArrives(new Date(Date.now() - 1_000));
    await sendDueMessages(dispatcher);
    expect(mailTo(to)).toEqual([]);
    expect(await stateOf(to)).toMatchObject({
      status: 'failed',
      attempts: 0,
      last_error: 'not sent: the transfer offer has lapsed',
    });
  });

  it('is not sent once the offer lapses while the mail server is refusing it', async () => {
    const lapsesAt = new Date(Date.now() + 1_500);
    const { to } = await offerArrives(lapsesAt);
    server.failures = 1;
    await sendDueMessages(dispatcher);
    expect(await stateOf(to)).toMatchObject({ status: 'queued', attempts: 1 });

    await sleep(lapsesAt.getTime() - Date.now() + RETRY_MS);
    await sendDueMessages(dispatcher);
    expect(mailTo(to)).toEqual([]);
    expect(await stateOf(to)).toMatchObject({
      status: 'failed',
      last_error: 'not sent: the transfer offer has lapsed',
    });
    // Given up: not tried again.
    await sleep(RETRY_MS * 4);
    await sendDueMessages(dispatcher);
    expect(mailTo(to)).toEqual([]);
  });
});
