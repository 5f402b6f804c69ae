import type { Knex } from 'knex';
import {
  call as callAction,
  type AuthUser,
  type LocalActionName,
  type ParamsOf,
  type Ticket,
  type TicketTransfer,
  type User,
} from '@ticketpro/shared';
import { malformed, ServiceStandIn, type StandInAnswers } from '@ticketpro/shared/testing';
import {
  admin,
  announceEvent,
  as,
  buyer,
  buyTickets,
  organizer,
  otherOrganizer,
  otherUser,
  refund,
  startEmbeddedTicketing,
  type EmbeddedTicketing,
} from '../support/ticket-fixtures';

/** Identity across the boundary: each caller's account email, and the admins' account search. */
class IdentityStandIn extends ServiceStandIn<'identity'> {
  readonly emails = new Map<number, string>();

  constructor() {
    super('identity');
  }

  private user(id: number, email: string): User {
    const at = new Date().toISOString();
    return {
      id,
      firstname: 'Test',
      surname: 'User',
      email,
      phone_number: '+263771234567',
      street_address: '1 Test Street',
      active: true,
      role: 'user',
      is_verified: true,
      created_at: at,
      updated_at: at,
    };
  }

  protected answers(): StandInAnswers<'identity'> {
    return {
      me: (ctx) => this.user(ctx.meta.user!.id, this.emails.get(ctx.meta.user!.id)!),
      'users.list': (ctx) => {
        const items = [...this.emails]
          .filter(([, email]) => email.toLowerCase().includes((ctx.params.search ?? '').toLowerCase()))
          .map(([id, email]) => this.user(id, email));
        return { items, total: items.length, skip: 0, limit: 100, has_next: false, has_prev: false };
      },
    };
  }
}

const friend: AuthUser = { id: 303, role: 'user' };
const identity = new IdentityStandIn();
identity.emails.set(buyer.id, 'buyer@example.com');
identity.emails.set(otherUser.id, 'other@example.com');
identity.emails.set(friend.id, 'Friend@Example.com');

let node: EmbeddedTicketing;
let db: Knex;

beforeAll(async () => {
  node = await startEmbeddedTicketing('ticketing_transfers', [identity.schema()]);
  db = node.db;
});

afterAll(() => node?.stop());

const call = <L extends LocalActionName<'ticketing'>>(
  action: L,
  params: ParamsOf<`ticketing.${L}`>,
  caller: AuthUser | undefined,
) => callAction(node.broker, `ticketing.${action}`, params, as(caller));
const offer = (ticket: Ticket, email = 'friend@example.com', caller = buyer) =>
  call('transfers.offer', { id: ticket.id, email }, caller);
const accept = (transfer: TicketTransfer, caller = friend) => call('transfers.accept', { id: transfer.id }, caller);
const checkIn = (qr_code: string) => call('validation.checkin', { qr_code }, organizer);
const ticketOf = (id: number) => call('tickets.get', { id }, admin);
const eventsNamed = async (name: string, field: string, value: number) =>
  db('outbox').where('name', name).whereRaw(`(envelope->'data'->>'${field}')::int = ?`, [value]).select('envelope');

/** An event announced to ticketing's projection and known to the stand-in catalog. */
async function newEvent(): Promise<number> {
  const id = await announceEvent();
  node.catalog.organizers.set(id, organizer.id);
  return id;
}

async function paidTicket(eventId?: number): Promise<Ticket> {
  const [ticket] = await buyTickets(node.broker, eventId ?? (await newEvent()));
  return ticket;
}

describe('offering and accepting a ticket', () => {
  it('moves the ticket to the recipient with a new code; the old code is refused, listed as revoked, the new admitted', async () => {
    const ticket = await paidTicket();
    const offered = await offer(ticket, 'FRIEND@example.com');
    expect(offered).toMatchObject({
      ticket_id: ticket.id,
      from_user_id: buyer.id,
      recipient_email: 'friend@example.com',
      status: 'pending',
      to_user_id: null,
    });
    expect(await eventsNamed('ticketing.ticket.transfer_offered', 'transfer_id', offered.id)).toHaveLength(1);

    const accepted = await accept(offered);
    expect(accepted).toMatchObject({ id: offered.id, status: 'accepted', to_user_id: friend.id });

    const moved = await call('tickets.get', { id: ticket.id }, friend);
    expect(moved.qr_code).not.toBe(ticket.qr_code);
    expect(moved.status).toBe('valid');
    await expect(call('tickets.get', { id: ticket.id }, buyer)).rejects.toMatchObject({ code: 404 });

    await expect(checkIn(ticket.qr_code)).rejects.toMatchObject({ code: 409, data: { revoked: true } });
    await expect(call('validation.validate', { qr_code: ticket.qr_code }, organizer)).rejects.toMatchObject({
      code: 409,
    });
    await expect(checkIn(moved.qr_code)).resolves.toMatchObject({ admitted: true, ticket_id: ticket.id });

    const feed = await call('validation.revocations', { event_id: ticket.event_id, limit: 100 }, organizer);
    expect(feed.revocations).toEqual([
      expect.objectContaining({ qr_code: ticket.qr_code, ticket_id: ticket.id, reason: 'transferred' }),
    ]);
    const [transferred] = await eventsNamed('ticketing.ticket.transferred', 'transfer_id', offered.id);
    expect(transferred.envelope.data).toMatchObject({
      ticket_id: ticket.id,
      from_user_id: buyer.id,
      to_user_id: friend.id,
      qr_code: moved.qr_code,
      by_admin: false,
    });

    const history = await call('transfers.owners', { id: ticket.id }, friend);
    expect(history.owners).toEqual([
      expect.objectContaining({ user_id: buyer.id, via: 'purchase', until: accepted.decided_at }),
      expect.objectContaining({ user_id: friend.id, via: 'transfer', transfer_id: offered.id, until: null }),
    ]);
    await expect(call('transfers.owners', { id: ticket.id }, organizer)).resolves.toEqual(history);
    await expect(call('transfers.owners', { id: ticket.id }, buyer)).rejects.toMatchObject({ code: 404 });
  });

  it('answers an offer the same whatever the email, and looks nobody up', async () => {
    const [a, b] = await buyTickets(node.broker, await newEvent(), 2);
    const before = identity.calls.length;
    const known = await offer(a, 'other@example.com');
    const unknown = await offer(b, 'nobody-here@example.com');
    expect(identity.calls.length).toBe(before);
    expect(Object.keys(known).sort()).toEqual(Object.keys(unknown).sort());
    expect({ ...known, id: 0, ticket_id: 0, recipient_email: '', expires_at: '', created_at: '' }).toEqual({
      ...unknown,
      id: 0,
      ticket_id: 0,
      recipient_email: '',
      expires_at: '',
      created_at: '',
    });
  });

  it("answers 404 to anyone but the ticket's owner offering it, and to anyone but the recipient accepting", async () => {
    const ticket = await paidTicket();
    await expect(offer(ticket, 'x@example.com', otherUser)).rejects.toMatchObject({ code: 404 });
    await expect(offer(ticket, 'x@example.com', organizer)).rejects.toMatchObject({ code: 404 });
    const offered = await offer(ticket);
    await expect(accept(offered, otherUser)).rejects.toMatchObject({ code: 404, message: 'Transfer not found' });
    await expect(accept(offered, buyer)).rejects.toMatchObject({ code: 404 });
    await expect(call('transfers.accept', { id: 2_000_000_000 }, friend)).rejects.toMatchObject({ code: 404 });
    await expect(call('transfers.cancel', { id: offered.id }, otherUser)).rejects.toMatchObject({ code: 404 });
    await expect(call('transfers.owners', { id: ticket.id }, otherUser)).rejects.toMatchObject({ code: 404 });
    expect((await ticketOf(ticket.id)).qr_code).toBe(ticket.qr_code);
  });

  it('refuses reserved, used and void tickets (409), and unknown fields, NUL bytes and out-of-range ids (422)', async () => {
    const eventId = await newEvent();
    const [reserved, used, voided] = await buyTickets(node.broker, eventId, 3);
    await db('tickets').where('id', reserved.id).update({ status: 'reserved' });
    await checkIn(used.qr_code);
    await db('tickets').where('id', voided.id).update({ status: 'void' });
    for (const ticket of [reserved, used, voided]) {
      await expect(offer(ticket)).rejects.toMatchObject({ code: 409, type: 'conflict' });
    }
    const valid = await paidTicket(eventId);
    await expect(
      call('transfers.offer', malformed({ id: valid.id, email: 'a@example.com', owner: 1 }), buyer),
    ).rejects.toMatchObject({
      code: 422,
    });
    await expect(offer(valid, 'a\u0000@example.com')).rejects.toMatchObject({ code: 422 });
    await expect(call('transfers.offer', { id: 2 ** 31, email: 'a@example.com' }, buyer)).rejects.toMatchObject({
      code: 422,
    });
    await expect(
      call('transfers.offer', { id: valid.id, email: 'a@example.com', message: 'x'.repeat(501) }, buyer),
    ).rejects.toMatchObject({ code: 422 });
    await expect(call('transfers.offer', { id: valid.id, email: 'a@example.com' }, undefined)).rejects.toMatchObject({
      code: 401,
    });
  });

  it('makes one open offer of many sent at once; a cancelled offer cannot be accepted', async () => {
    const ticket = await paidTicket();
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => offer(ticket)));
    const made = outcomes.filter((o) => o.status === 'fulfilled');
    expect(made).toHaveLength(1);
    for (const o of outcomes.filter((o) => o.status === 'rejected')) {
      expect(o.reason).toMatchObject({ code: 409 });
    }
    const [{ value: open }] = made;
    const cancels = await Promise.allSettled(
      Array.from({ length: 4 }, () => call('transfers.cancel', { id: open.id }, buyer)),
    );
    expect(cancels.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    await expect(call('transfers.cancel', { id: open.id }, buyer)).rejects.toMatchObject({ code: 409 });
    await expect(accept(open)).rejects.toMatchObject({ code: 409, data: { status: 'cancelled' } });
    expect(await db('ticket_transfers').where({ ticket_id: ticket.id, status: 'pending' })).toHaveLength(0);
  });

  it('accepts once of many acceptances sent at once', async () => {
    const ticket = await paidTicket();
    const offered = await offer(ticket);
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => accept(offered)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(await db('ticket_owner_changes').where('ticket_id', ticket.id)).toHaveLength(1);
    expect(await db('revoked_codes').where('ticket_id', ticket.id)).toHaveLength(1);
  });

  it('lets a lapsed offer be accepted no more, and a new offer be made', async () => {
    const ticket = await paidTicket();
    const offered = await offer(ticket);
    await db('ticket_transfers')
      .where('id', offered.id)
      .update({ expires_at: new Date(Date.now() - 1000) });
    await expect(accept(offered)).rejects.toMatchObject({ code: 409, data: { status: 'expired' } });
    expect((await db('ticket_transfers').where('id', offered.id).first()).status).toBe('expired');
    const again = await offer(ticket);
    expect(again.status).toBe('pending');
  });

  it('records a lapsed offer as expired at its expiry whichever answer first touches it: a new offer, a cancel, an admin transfer', async () => {
    const lapse = async (transfer: TicketTransfer) => {
      const expiresAt = new Date(Date.now() - 60_000);
      await db('ticket_transfers').where('id', transfer.id).update({ expires_at: expiresAt });
      return expiresAt;
    };
    const stored = (transfer: TicketTransfer) => db('ticket_transfers').where('id', transfer.id).first();
    const [first, second, third] = await buyTickets(node.broker, await newEvent(), 3);

    // A second offer of the ticket: the lapsed one is expired, not left open beside it.
    const stale = await offer(first);
    const staleExpiry = await lapse(stale);
    const fresh = await offer(first);
    expect(fresh.status).toBe('pending');
    expect(await stored(stale)).toMatchObject({ status: 'expired', decided_at: staleExpiry });

    // The owner cancelling it: 409, and it is on record as expired, not still pending.
    const lapsed = await offer(second);
    const lapsedExpiry = await lapse(lapsed);
    await expect(call('transfers.cancel', { id: lapsed.id }, buyer)).rejects.toMatchObject({
      code: 409,
      data: { status: 'expired' },
    });
    expect(await stored(lapsed)).toMatchObject({ status: 'expired', decided_at: lapsedExpiry });
    await expect(accept(lapsed)).rejects.toMatchObject({ code: 409, data: { status: 'expired' } });

    // An admin transfer cancels an open offer, but a lapsed one stays expired.
    const forgotten = await offer(third);
    await lapse(forgotten);
    await call('transfers.adminTransfer', { ticket_id: third.id, new_owner_email: 'other@example.com' }, admin);
    expect(await stored(forgotten)).toMatchObject({ status: 'expired' });
    await expect(call('transfers.cancel', { id: forgotten.id }, buyer)).rejects.toMatchObject({
      code: 409,
      data: { status: 'expired' },
    });
    expect(
      await db('ticket_transfers').whereIn('ticket_id', [first.id, second.id, third.id]).where('status', 'pending'),
    ).toHaveLength(1);
  });

  it("keeps offers within the event's transfer cut-off, and refuses them past it", async () => {
    const eventId = await newEvent();
    const [early, late] = await buyTickets(node.broker, eventId, 2);
    node.catalog.starts.set(eventId, new Date(Date.now() + 30 * 3_600_000));
    node.catalog.transferCutoffs.set(eventId, 24);
    const offered = await offer(early);
    expect(Date.parse(offered.expires_at)).toBeLessThanOrEqual(Date.now() + 6 * 3_600_000 + 1000);
    node.catalog.transferCutoffs.set(eventId, 48);
    await expect(offer(late)).rejects.toMatchObject({
      code: 409,
      message: "Transfers of this event's tickets are closed",
    });
    await expect(accept(offered)).rejects.toMatchObject({ code: 409 });
  });
});

describe('an acceptance racing a scan of the old code', () => {
  it('lets exactly one of them win, every time, and the ticket, its history and revocations agree', async () => {
    const eventId = await newEvent();
    const tickets = await buyTickets(node.broker, eventId, 20);
    const wins = { transfer: 0, checkin: 0 };
    for (const ticket of tickets) {
      const offered = await offer(ticket);
      const [accepted, admitted] = await Promise.allSettled([accept(offered), checkIn(ticket.qr_code)]);
      expect([accepted.status, admitted.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
      const stored = await db('tickets').where('id', ticket.id).first();
      const changes = await db('ticket_owner_changes').where('ticket_id', ticket.id);
      const revoked = await db('revoked_codes').where('ticket_id', ticket.id);
      if (accepted.status === 'fulfilled') {
        wins.transfer++;
        expect(stored).toMatchObject({ user_id: friend.id, status: 'valid', checked_in: false });
        expect(changes).toHaveLength(1);
        expect(revoked.map((r: { qr_code: string }) => r.qr_code)).toEqual([ticket.qr_code]);
        expect((admitted as PromiseRejectedResult).reason).toMatchObject({ code: 409 });
      } else {
        wins.checkin++;
        expect(stored).toMatchObject({ user_id: buyer.id, status: 'used', checked_in: true });
        expect(changes).toHaveLength(0);
        expect(revoked).toHaveLength(0);
        expect(accepted.reason).toMatchObject({ code: 409 });
        expect((await db('ticket_transfers').where('id', offered.id).first()).status).toBe('pending');
      }
    }
    expect(wins.transfer + wins.checkin).toBe(tickets.length);
  });
});

describe('admin transfer', () => {
  it('moves a ticket to the account of an email at once, cancelling an open offer; only admins', async () => {
    const ticket = await paidTicket();
    const open = await offer(ticket);
    const body = { ticket_id: ticket.id, new_owner_email: 'OTHER@example.com' };
    await expect(call('transfers.adminTransfer', body, buyer)).rejects.toMatchObject({ code: 403 });
    await expect(call('transfers.adminTransfer', body, organizer)).rejects.toMatchObject({ code: 403 });
    await expect(
      call('transfers.adminTransfer', { ...body, new_owner_email: 'nobody@example.com' }, admin),
    ).rejects.toMatchObject({ code: 422 });

    const done = await call('transfers.adminTransfer', body, admin);
    expect(done).toMatchObject({ status: 'accepted', to_user_id: otherUser.id, from_user_id: buyer.id });
    expect((await db('ticket_transfers').where('id', open.id).first()).status).toBe('cancelled');
    await expect(checkIn(ticket.qr_code)).rejects.toMatchObject({ code: 409 });
    const history = await call('transfers.owners', { id: ticket.id }, admin);
    expect(history.owners.map((o) => [o.user_id, o.via])).toEqual([
      [buyer.id, 'purchase'],
      [otherUser.id, 'admin_transfer'],
    ]);
    const [event] = await eventsNamed('ticketing.ticket.transferred', 'transfer_id', done.id);
    expect(event.envelope.data).toMatchObject({ by_admin: true, to_user_id: otherUser.id });
    await expect(call('transfers.adminTransfer', body, admin)).rejects.toMatchObject({ code: 409 });

    const another = await paidTicket();
    const repeats = await Promise.allSettled(
      Array.from({ length: 4 }, () =>
        call('transfers.adminTransfer', { ticket_id: another.id, new_owner_email: 'friend@example.com' }, admin),
      ),
    );
    expect(repeats.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(await db('ticket_owner_changes').where('ticket_id', another.id)).toHaveLength(1);
    expect((await db('tickets').where('id', another.id).first()).user_id).toBe(friend.id);
  });
});

describe('revoked codes and refunds', () => {
  it("lists a refunded ticket's code; organizers see their events' only, users none", async () => {
    const ticket = await paidTicket();
    await refund(node.broker, ticket);
    const mine = await call('validation.revocations', { event_id: ticket.event_id, limit: 10 }, organizer);
    expect(mine.revocations).toEqual([expect.objectContaining({ qr_code: ticket.qr_code, reason: 'refunded' })]);
    const all = await call('validation.revocations', { limit: 1000 }, admin);
    expect(all.revocations.map((r) => r.qr_code)).toContain(ticket.qr_code);
    const theirs = await call('validation.revocations', { limit: 1000 }, otherOrganizer);
    expect(theirs.revocations.map((r) => r.qr_code)).not.toContain(ticket.qr_code);
    await expect(call('validation.revocations', { limit: 10 }, buyer)).rejects.toMatchObject({ code: 403 });
    await expect(call('validation.revocations', { limit: 1001 }, admin)).rejects.toMatchObject({ code: 422 });
    await expect(call('validation.revocations', { since: 'yesterday', limit: 5 }, admin)).rejects.toMatchObject({
      code: 422,
    });

    const later = await call('validation.revocations', { since: mine.next_since!, limit: 1000 }, admin);
    expect(later.revocations[0].qr_code).toBe(ticket.qr_code);
  });

  it('refuses to refund a transferred ticket to its buyer', async () => {
    const ticket = await paidTicket();
    await accept(await offer(ticket));
    await expect(
      callAction(node.broker, 'ticketing.tickets.voidForRefund', { order_id: ticket.order_id }),
    ).rejects.toMatchObject({ code: 409, data: { transferred_ticket_ids: [ticket.id] } });
    expect((await ticketOf(ticket.id)).status).toBe('valid');
  });
});
