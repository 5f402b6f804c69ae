import type { Knex } from 'knex';
import { LocalPublisher, localDomainEvents, type Ticket, call } from '@ticketpro/shared';
import { eventually, malformed } from '@ticketpro/shared/testing';
import { envelopeOf, nextId, orderFacts } from '../support/order-events';
import {
  announceEvent,
  as,
  buyer,
  buyTickets,
  organizer,
  startEmbeddedTicketing,
  type EmbeddedTicketing,
} from '../support/ticket-fixtures';

/** `ticketing.tickets.voidForRefund`: the refund's step in ticketing, and how it meets check-in and the order's events. */
let node: EmbeddedTicketing;
let db: Knex;
const bus = new LocalPublisher(localDomainEvents);

beforeAll(async () => {
  node = await startEmbeddedTicketing('ticketing_refunds');
  db = node.db;
});

afterAll(() => node?.stop());

/** A paid order's tickets, in id order (the order `statusesOf` reads them in). */
const bought = async (eventId: number, units: number) =>
  (await buyTickets(node.broker, eventId, units)).sort((a, b) => a.id - b.id);
const voidForRefund = (orderId: number) => call(node.broker, 'ticketing.tickets.voidForRefund', { order_id: orderId });
const checkIn = (ticket: Ticket) =>
  call(node.broker, 'ticketing.validation.checkin', { qr_code: ticket.qr_code }, as(organizer));
const statusesOf = async (orderId: number) =>
  (await db('tickets').where('order_id', orderId).orderBy('id').select('status')).map(
    (t: { status: string }) => t.status,
  );
const voidedEvents = async (orderId: number) =>
  Number(
    (
      await db('outbox')
        .where('name', 'ticketing.ticket.voided')
        .whereRaw("(envelope->'data'->>'order_id')::int = ?", [orderId])
        .count({ n: '*' })
    )[0].n,
  );

describe('ticketing.tickets.voidForRefund', () => {
  it('voids every ticket of the order before answering, with ticket.voided events; a repeat voids nothing more', async () => {
    const eventId = await announceEvent();
    const tickets = await bought(eventId, 3);
    const orderId = tickets[0].order_id;

    await expect(voidForRefund(orderId)).resolves.toEqual({ order_id: orderId, voided: 3 });

    expect(await statusesOf(orderId)).toEqual(['void', 'void', 'void']);
    expect(await voidedEvents(orderId)).toBe(3);
    expect(await db('refunded_orders').where('order_id', orderId)).toHaveLength(1);
    await expect(checkIn(tickets[0])).rejects.toMatchObject({ code: 409, message: 'The ticket is void' });
    await expect(voidForRefund(orderId)).resolves.toEqual({ order_id: orderId, voided: 0 });
    expect(await voidedEvents(orderId)).toBe(3);
  });

  it('refuses (409) an order with a used ticket, saying how many, and changes nothing', async () => {
    const eventId = await announceEvent();
    const tickets = await bought(eventId, 3);
    const orderId = tickets[0].order_id;
    await checkIn(tickets[1]);

    await expect(voidForRefund(orderId)).rejects.toMatchObject({
      code: 409,
      type: 'conflict',
      message:
        "1 of the order's 3 tickets is already used (checked in); used tickets are never refunded, so the order cannot be refunded",
      data: { order_id: orderId, used_ticket_ids: [tickets[1].id] },
    });

    expect(await statusesOf(orderId)).toEqual(['valid', 'used', 'valid']);
    expect(await voidedEvents(orderId)).toBe(0);
    expect(await db('refunded_orders').where('order_id', orderId)).toHaveLength(0);
    await expect(checkIn(tickets[0])).resolves.toMatchObject({ admitted: true });
  });

  it('of a check-in and a refund at the same instant, exactly one goes through, every time', async () => {
    const eventId = await announceEvent();
    const rounds = 15;
    const outcomes = { admitted: 0, refunded: 0 };
    for (let round = 0; round < rounds; round++) {
      const tickets = await bought(eventId, 2);
      const [scanned, refunded] = await Promise.allSettled([checkIn(tickets[0]), voidForRefund(tickets[0].order_id)]);
      const statuses = await statusesOf(tickets[0].order_id);
      if (scanned.status === 'fulfilled') {
        expect(refunded).toMatchObject({ status: 'rejected', reason: { code: 409 } });
        expect(statuses).toEqual(['used', 'valid']);
        outcomes.admitted++;
      } else {
        expect(scanned.reason).toMatchObject({ code: 409, message: 'The ticket is void' });
        expect(refunded).toMatchObject({ status: 'fulfilled', value: { voided: 2 } });
        expect(statuses).toEqual(['void', 'void']);
        outcomes.refunded++;
      }
    }
    expect(outcomes.admitted + outcomes.refunded).toBe(rounds);
  });

  it('remembers the refund, so a payment handled afterwards issues nothing', async () => {
    const eventId = await announceEvent();
    const order = orderFacts(buyer.id, eventId, [[nextId(), 2]]);

    await expect(voidForRefund(order.id)).resolves.toEqual({ order_id: order.id, voided: 0 });
    const paid = envelopeOf('ordering.order.paid', order);
    await bus.publish(paid);

    await eventually(async () => (await db('processed_events').where('event_id', paid.id).first()) !== undefined);
    expect(await db('tickets').where('order_id', order.id)).toHaveLength(0);
  });

  it('never voids a used ticket when ordering.order.refunded arrives, whatever came first', async () => {
    const eventId = await announceEvent();
    const tickets = await bought(eventId, 2);
    await checkIn(tickets[0]);
    const refundedEvent = envelopeOf('ordering.order.refunded', {
      ...orderFacts(buyer.id, eventId, [[tickets[0].ticket_type_id, 2]], tickets[0].order_id),
      payment_status: 'refunded',
    });

    await bus.publish(refundedEvent);

    await eventually(
      async () => (await db('processed_events').where('event_id', refundedEvent.id).first()) !== undefined,
    );
    expect(await statusesOf(tickets[0].order_id)).toEqual(['used', 'void']);
  });

  it('refuses malformed params (422)', async () => {
    for (const params of [{ order_id: 0 }, { order_id: 2 ** 31 }, { order_id: 1, extra: true }, {}]) {
      await expect(call(node.broker, 'ticketing.tickets.voidForRefund', malformed(params))).rejects.toMatchObject({
        code: 422,
      });
    }
  });
});
