import { expectProblem, recordingApi } from '@ticketpro/shared/testing';
import { startCluster, type Cluster } from '../support/cluster';
import { decodeInlineQrCodes, startMailCatcher, waitForMail, type MailCatcher } from '../support/mail';
import { buyTickets, createEvent, createTicketType } from '../support/sales';
import type { TicketView } from '../support/tickets';
import { login, register, type Registered } from '../support/users';

jest.setTimeout(120_000);

const ADMIN = { email: 'admin@transfers.test', password: 'Admin-Passw0rd-Strong' };
/** How long a test waits, once the expected messages are there, for any duplicate to turn up. */
const SETTLE_MS = 3_000;

let cluster: Cluster;
let mail: MailCatcher;
let admin: string;
let organizer: Registered;
let rival: Registered;
let buyer: Registered;
let friend: Registered;
let stranger: Registered;
let eventName: string;
let tickets: TicketView[];

beforeAll(async () => {
  mail = await startMailCatcher();
  cluster = await startCluster('e2e_transfers', {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SMTP_URL: mail.url,
    MAIL_RETRY_SECONDS: '1',
  });
  admin = (await login(cluster.api, ADMIN.email, ADMIN.password)).access;
  organizer = await register(cluster.api, { firstname: 'Rudo', surname: 'Chari', role: 'organizer' });
  rival = await register(cluster.api, { firstname: 'Tafadzwa', surname: 'Ncube', role: 'organizer' });
  buyer = await register(cluster.api, { firstname: 'Farai', surname: 'Mlambo' });
  friend = await register(cluster.api, { firstname: 'Tendai', surname: 'Moyo' });
  stranger = await register(cluster.api, { firstname: 'Chipo', surname: 'Dube' });
  eventName = `Transfer Night ${Date.now()}`;
  const event = await createEvent(cluster.api, organizer.access, { event_name: eventName });
  const type = await createTicketType(cluster.api, organizer.access, event.id);
  ({ tickets } = await buyTickets(cluster.api, buyer.access, event.id, type.id, 3));
});
afterAll(async () => {
  await cluster?.stop();
  await mail?.close();
});

/** Every answer of this file, so the last test can check that none was a 500. */
const { api, answered } = recordingApi(() => cluster.api);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const subjectIs = (address: string, subject: string) =>
  mail.to(address).filter((m) => (m.parsed.subject ?? '') === subject);

describe('ticket transfer through the gateway', () => {
  let offerId: number;
  let newCode: string;

  it('offers a ticket to an email, answering alike whether or not it has an account', async () => {
    const known = await api('POST', `/api/v1/tickets/${tickets[0].id}/transfer`, {
      token: buyer.access,
      body: { email: friend.email.toUpperCase(), message: 'Enjoy the show' },
    });
    expect(known.status).toBe(201);
    expect(known.body).toMatchObject({ status: 'pending', recipient_email: friend.email, to_user_id: null });
    offerId = known.body.id;

    const unknown = await api('POST', `/api/v1/tickets/${tickets[1].id}/transfer`, {
      token: buyer.access,
      body: { email: 'nobody.at.all@example.com' },
    });
    expect(unknown.status).toBe(201);
    expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(known.body).sort());
    expect(unknown.body.status).toBe(known.body.status);

    const notMine = await api('POST', `/api/v1/tickets/${tickets[2].id}/transfer`, {
      token: stranger.access,
      body: { email: stranger.email },
    });
    expectProblem(notMine, 404);
  });

  it('mails the offer to the address, with how to accept it', async () => {
    const subject = `A ticket for ${eventName} is offered to you`;
    const offer = await waitForMail(() => subjectIs(friend.email, subject)[0], 'transfer offer');
    expect(offer.parsed.text).toContain(`/api/v1/tickets/transfers/${offerId}/accept`);
    expect(offer.parsed.text).toContain('Enjoy the show');
    expect(offer.parsed.text).toContain('Farai Mlambo');
    await waitForMail(() => subjectIs('nobody.at.all@example.com', subject)[0], 'offer to an address without account');
  });

  it('lets only the recipient accept (anyone else 404); the ticket then has a new code', async () => {
    expectProblem(await api('POST', `/api/v1/tickets/transfers/${offerId}/accept`, { token: stranger.access }), 404);
    expectProblem(await api('POST', `/api/v1/tickets/transfers/${offerId}/accept`, { token: buyer.access }), 404);
    const accepted = await api('POST', `/api/v1/tickets/transfers/${offerId}/accept`, { token: friend.access });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', to_user_id: friend.id });
    expectProblem(await api('POST', `/api/v1/tickets/transfers/${offerId}/accept`, { token: friend.access }), 409);

    const mine = await api('GET', `/api/v1/tickets/${tickets[0].id}`, { token: friend.access });
    expect(mine.status).toBe(200);
    newCode = mine.body.qr_code;
    expect(newCode).not.toBe(tickets[0].qr_code);
    expectProblem(await api('GET', `/api/v1/tickets/${tickets[0].id}`, { token: buyer.access }), 404);
  });

  it('prints the ticket for its new holder, and no longer for its buyer', async () => {
    const pdf = await fetch(`${cluster.baseUrl}/api/v1/tickets/${tickets[0].id}/pdf`, {
      headers: { authorization: `Bearer ${friend.access}` },
    });

    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toMatch(/^application\/pdf/);
    const theirs = await fetch(`${cluster.baseUrl}/api/v1/tickets/${tickets[0].id}/pdf`, {
      headers: { authorization: `Bearer ${buyer.access}` },
    });
    expect(theirs.status).toBe(404);
  });

  it('refuses the old code at check-in and admits the new one', async () => {
    const old = await api('POST', '/api/v1/validation/checkin', {
      token: organizer.access,
      body: { qr_code: tickets[0].qr_code },
    });
    expectProblem(old, 409);
    const admitted = await api('POST', '/api/v1/validation/checkin', {
      token: organizer.access,
      body: { qr_code: newCode },
    });
    expect(admitted.status).toBe(200);
    expect(admitted.body).toMatchObject({ ticket_id: tickets[0].id, admitted: true });
  });

  it("lists the old code as revoked for the event's organizer and admins only", async () => {
    const feed = await api('GET', '/api/v1/validation/revocations', { token: organizer.access });
    expect(feed.status).toBe(200);
    expect(feed.body.revocations).toEqual([
      expect.objectContaining({ qr_code: tickets[0].qr_code, ticket_id: tickets[0].id, reason: 'transferred' }),
    ]);
    const all = await api('GET', '/api/v1/validation/revocations?limit=1000', { token: admin });
    expect(all.body.revocations.map((r: { qr_code: string }) => r.qr_code)).toContain(tickets[0].qr_code);
    const theirs = await api('GET', '/api/v1/validation/revocations', { token: rival.access });
    expect(theirs.body.revocations).toEqual([]);
    expectProblem(await api('GET', '/api/v1/validation/revocations', { token: buyer.access }), 403);
  });

  it('keeps the owners, readable by the owner and the organizer', async () => {
    const history = await api('GET', `/api/v1/tickets/${tickets[0].id}/owners`, { token: friend.access });
    expect(history.status).toBe(200);
    expect(history.body.owners.map((o: { user_id: number; via: string }) => [o.user_id, o.via])).toEqual([
      [buyer.id, 'purchase'],
      [friend.id, 'transfer'],
    ]);
    const byOrganizer = await api('GET', `/api/v1/tickets/${tickets[0].id}/owners`, { token: organizer.access });
    expect(byOrganizer.body).toEqual(history.body);
    expectProblem(await api('GET', `/api/v1/tickets/${tickets[0].id}/owners`, { token: stranger.access }), 404);
  });

  it('sends the new holder the ticket with its new code, and tells the owner, each once', async () => {
    const delivery = await waitForMail(
      () => subjectIs(friend.email, `Your ticket for ${eventName}`)[0],
      'transferred ticket',
    );
    expect(decodeInlineQrCodes(delivery.parsed)).toEqual([newCode]);
    expect(delivery.parsed.text).toContain('holder: Tendai Moyo');
    await waitForMail(() => subjectIs(buyer.email, `Your ticket for ${eventName} was accepted`)[0], 'acceptance');
    await sleep(SETTLE_MS);
    expect(subjectIs(friend.email, `Your ticket for ${eventName}`)).toHaveLength(1);
    expect(subjectIs(friend.email, `A ticket for ${eventName} is offered to you`)).toHaveLength(1);
    expect(subjectIs(buyer.email, `Your ticket for ${eventName} was accepted`)).toHaveLength(1);
  });

  it('lets an admin transfer directly, with the same guarantees; the owner cancels an open offer', async () => {
    const open = await api('POST', `/api/v1/tickets/${tickets[2].id}/transfer`, {
      token: buyer.access,
      body: { email: stranger.email },
    });
    expect(open.status).toBe(201);
    const cancelled = await api('DELETE', `/api/v1/tickets/transfers/${open.body.id}`, { token: buyer.access });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expectProblem(
      await api('POST', `/api/v1/tickets/transfers/${open.body.id}/accept`, { token: stranger.access }),
      409,
    );

    const body = { ticket_id: tickets[2].id, new_owner_email: stranger.email };
    expectProblem(await api('POST', '/api/v1/admin/tickets/transfer', { token: buyer.access, body }), 403);
    const moved = await api('POST', '/api/v1/admin/tickets/transfer', { token: admin, body });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ status: 'accepted', to_user_id: stranger.id });
    const old = await api('POST', '/api/v1/validation/checkin', {
      token: organizer.access,
      body: { qr_code: tickets[2].qr_code },
    });
    expectProblem(old, 409);
  });

  it('answered no request with a 500', () => {
    expect(answered.filter((a) => a.status >= 500)).toEqual([]);
  });
});
