import { call as callAction, type ParamsOf } from '@ticketpro/shared';
import { defaultPage, malformed, type ActionsUnder } from '@ticketpro/shared/testing';
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
import { nextId } from '../support/order-events';

let node: EmbeddedTicketing;

beforeAll(async () => {
  node = await startEmbeddedTicketing('ticketing_tickets');
});

afterAll(async () => {
  await node?.stop();
});

const call = <K extends ActionsUnder<'ticketing.tickets.'>>(
  action: K,
  params: ParamsOf<`ticketing.tickets.${K}`>,
  caller: typeof buyer | undefined,
) => callAction(node.broker, `ticketing.tickets.${action}`, params, as(caller));

describe('reading tickets', () => {
  it('lists the caller own tickets newest first, everyone for admins, with filters', async () => {
    const eventId = await announceEvent();
    const mine = await buyTickets(node.broker, eventId, 2);
    const theirs = await buyTickets(node.broker, eventId, 1, otherUser);

    const own = await call('list', defaultPage({ event_id: eventId }), buyer);
    expect(own.items.map((t) => t.id)).toEqual(mine.map((t) => t.id).sort((a, b) => b - a));
    expect(own).toMatchObject({ total: 2, skip: 0, limit: 20, has_next: false, has_prev: false });
    const all = await call('list', defaultPage({ event_id: eventId }), admin);
    expect(all.items.map((t) => t.id)).toContain(theirs[0].id);
    expect(all.total).toBe(3);
    const page = await call('list', { event_id: eventId, limit: 1, skip: 1 }, admin);
    expect(page).toMatchObject({ total: 3, has_next: true, has_prev: true });
    expect((await call('list', defaultPage({ checked_in: true, event_id: eventId }), admin)).total).toBe(0);
    await expect(call('list', defaultPage({}), undefined)).rejects.toMatchObject({ code: 401 });
    await expect(call('list', defaultPage({ limit: 101 }), buyer)).rejects.toMatchObject({ code: 422 });
    await expect(call('list', malformed({ role: 'x' }), buyer)).rejects.toMatchObject({ code: 422 });
  });

  it('shows a ticket to its owner, the event organizer and admins; to others it does not exist', async () => {
    const eventId = await announceEvent();
    const [ticket] = await buyTickets(node.broker, eventId);

    for (const caller of [buyer, organizer, admin]) {
      await expect(call('get', { id: ticket.id }, caller)).resolves.toEqual(ticket);
    }
    for (const caller of [otherUser, otherOrganizer]) {
      await expect(call('get', { id: ticket.id }, caller)).rejects.toMatchObject({ code: 404, type: 'not-found' });
    }
    await expect(call('get', { id: 2147483647 }, admin)).rejects.toMatchObject({ code: 404 });
    await expect(call('get', { id: 0 }, admin)).rejects.toMatchObject({ code: 422 });
    expect(ticket).toMatchObject({
      status: 'valid',
      checked_in: false,
      checked_out: false,
      seat_number: null,
      validated_at: null,
    });
  });

  it('asks catalog for the organizer of an event it has not heard of yet, once', async () => {
    const eventId = nextId();
    node.catalog.organizers.set(eventId, organizer.id);
    const [ticket] = await buyTickets(node.broker, eventId);
    const before = node.catalog.calls;

    await expect(call('get', { id: ticket.id }, organizer)).resolves.toMatchObject({ id: ticket.id });
    await expect(call('get', { id: ticket.id }, otherOrganizer)).rejects.toMatchObject({ code: 404 });
    expect(node.catalog.calls).toBe(before + 1);
  });
});

describe('changing tickets', () => {
  it('lets the owner set a seat, but only the organizer or an admin check in or out', async () => {
    const eventId = await announceEvent();
    const [ticket] = await buyTickets(node.broker, eventId);

    await expect(call('update', { id: ticket.id, seat_number: 'A-12' }, buyer)).resolves.toMatchObject({
      seat_number: 'A-12',
    });
    await expect(call('update', { id: ticket.id, checked_in: true }, buyer)).rejects.toMatchObject({ code: 403 });
    await expect(call('update', { id: ticket.id, seat_number: 'B1' }, otherUser)).rejects.toMatchObject({ code: 404 });
    await expect(call('update', { id: ticket.id, checked_out: true }, organizer)).rejects.toMatchObject({ code: 409 });
    await expect(call('update', { id: ticket.id, checked_in: true }, organizer)).resolves.toMatchObject({
      checked_in: true,
      status: 'used',
      validated_by: organizer.id,
    });
    await expect(call('update', { id: ticket.id, checked_out: true }, admin)).resolves.toMatchObject({
      checked_out: true,
    });
    await expect(call('update', { id: ticket.id, seat_number: null }, buyer)).resolves.toMatchObject({
      seat_number: null,
    });
  });

  it('refuses bad input and changes to a void ticket', async () => {
    const eventId = await announceEvent();
    const [ticket] = await buyTickets(node.broker, eventId);

    await expect(call('update', { id: ticket.id }, buyer)).rejects.toMatchObject({ code: 422 });
    await expect(call('update', { id: ticket.id, seat_number: 'x'.repeat(21) }, buyer)).rejects.toMatchObject({
      code: 422,
    });
    await expect(call('update', malformed({ id: ticket.id, status: 'used' }), admin)).rejects.toMatchObject({
      code: 422,
    });
    await refund(node.broker, ticket);
    await expect(call('update', { id: ticket.id, seat_number: 'A1' }, buyer)).rejects.toMatchObject({ code: 409 });
  });

  it('never cancels a paid ticket (the order is refunded instead), nor a checked-in or void one', async () => {
    const eventId = await announceEvent();
    const [paid, checkedIn, refunded] = await buyTickets(node.broker, eventId, 3);

    await expect(call('delete', { id: paid.id }, organizer)).rejects.toMatchObject({ code: 403 });
    await expect(call('delete', { id: paid.id }, otherUser)).rejects.toMatchObject({ code: 404 });
    for (const caller of [buyer, admin]) {
      await expect(call('delete', { id: paid.id }, caller)).rejects.toMatchObject({
        code: 409,
        message: 'The ticket is paid for; request a refund of the order',
      });
    }
    await expect(call('get', { id: paid.id }, buyer)).resolves.toMatchObject({ status: 'valid' });

    await call('update', { id: checkedIn.id, checked_in: true }, organizer);
    await expect(call('delete', { id: checkedIn.id }, admin)).rejects.toMatchObject({
      code: 409,
      message: 'A checked-in ticket cannot be cancelled',
    });
    await refund(node.broker, refunded);
    await expect(call('delete', { id: refunded.id }, buyer)).rejects.toMatchObject({
      code: 409,
      message: 'The ticket is already void',
    });
  });
});

describe('QR images', () => {
  it('renders the code as PNG or SVG for its holder or an admin', async () => {
    const eventId = await announceEvent();
    const [ticket] = await buyTickets(node.broker, eventId);

    const png = await call('qr', { id: ticket.id }, buyer);
    expect(png.content_type).toBe('image/png');
    expect(Buffer.from(png.body, 'base64').subarray(1, 4).toString()).toBe('PNG');
    const svg = await call('qr', { id: ticket.id, format: 'svg' }, admin);
    expect(svg.content_type).toBe('image/svg+xml');
    expect(svg.body).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    await expect(call('qr', { id: ticket.id }, organizer)).rejects.toMatchObject({ code: 403 });
    await expect(call('qr', { id: ticket.id }, otherUser)).rejects.toMatchObject({ code: 404 });
    await expect(call('qr', malformed({ id: ticket.id, format: 'gif' }), buyer)).rejects.toMatchObject({ code: 422 });
  });
});
