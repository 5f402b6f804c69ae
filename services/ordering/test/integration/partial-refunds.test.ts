import { call, type Event } from '@ticketpro/shared';
import { malformed } from '@ticketpro/shared/testing';
import { orderingNodeForFile } from '../support/ordering-node';
import {
  admin,
  as,
  buyer,
  checkIn,
  createEvent,
  createTicketType,
  getOrder,
  inventory,
  issuedTickets,
  orderBody,
  orderEvents,
  organizer,
  otherBuyer,
  otherOrganizer,
  payOrder,
  placeOrder,
  statusesOf,
  paymentLedger,
  refundOrder,
} from '../support/ordering-fixtures';

const node = orderingNodeForFile({ ORDER_HOLD_SECONDS: 600 });
let event: Event;

beforeAll(async () => {
  event = await createEvent(node);
});

/** A paid order of `quantity` units at 12.50 each, with its issued tickets. */
async function paidOrder(quantity: number) {
  const ticketType = await createTicketType(node, event.id, { price: 12.5, quantity: 10 });
  const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, quantity));
  await payOrder(node, buyer, order.id);
  const tickets = await issuedTickets(node, order.id, quantity);
  return { ticketType, order, tickets };
}

describe('partial refunds (ticket_ids)', () => {
  it('refunds exactly 2 of 3 tickets: 2 void, 2 units back, their price back, order partially_refunded', async () => {
    const { ticketType, order, tickets } = await paidOrder(3);

    const answer = await refundOrder(node, organizer, order.id, [tickets[0].id, tickets[2].id]);

    expect(answer).toMatchObject({ payment_status: 'partially_refunded', total_price: 37.5 });
    expect(await statusesOf(node, order.id)).toEqual(['void', 'valid', 'void']);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 1 });
    const rows = await paymentLedger(node, buyer, order.id);
    expect(rows).toMatchObject([
      { kind: 'payment', provider: 'test', state: 'completed', amount: 37.5, recorded_by: buyer.id },
      {
        kind: 'refund',
        provider: 'test',
        state: 'refunded',
        amount: 25,
        refund_of: rows[0].id,
        ticket_ids: [tickets[0].id, tickets[2].id],
        recorded_by: organizer.id,
      },
    ]);
    expect(await orderEvents(node, order.id)).toEqual([
      'ordering.order.created',
      'ordering.order.paid',
      'ordering.order.partially_refunded',
    ]);
    const event = await node
      .orderingDb('outbox')
      .where('name', 'ordering.order.partially_refunded')
      .whereRaw("(envelope->'data'->>'id')::int = ?", [order.id])
      .first();
    expect(event.envelope.data).toMatchObject({
      id: order.id,
      payment_status: 'partially_refunded',
      refund_amount: '25.00',
      ticket_ids: [tickets[0].id, tickets[2].id],
    });

    // The last ticket: the order is refunded, its whole payment returned, nothing restocked twice.
    await expect(refundOrder(node, admin, order.id, [tickets[1].id])).resolves.toMatchObject({
      payment_status: 'refunded',
    });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
    expect(await statusesOf(node, order.id)).toEqual(['void', 'void', 'void']);
    expect((await paymentLedger(node, admin, order.id)).map((r) => [r.kind, r.state, r.amount])).toEqual([
      ['payment', 'refunded', 37.5],
      ['refund', 'refunded', 25],
      ['refund', 'refunded', 12.5],
    ]);
    await expect(refundOrder(node, admin, order.id)).rejects.toMatchObject({ code: 409 });
  });

  it('refunds the rest of a partially refunded order without ticket_ids, restocking only what is left', async () => {
    const { ticketType, order, tickets } = await paidOrder(3);
    await refundOrder(node, admin, order.id, [tickets[1].id]);

    await expect(refundOrder(node, admin, order.id)).resolves.toMatchObject({ payment_status: 'refunded' });

    expect(await inventory(node, ticketType.id)).toEqual({ available: 10, sold: 0 });
    expect(
      (await paymentLedger(node, admin, order.id)).filter((r) => r.kind === 'refund').map((r) => r.amount),
    ).toEqual([12.5, 25]);
  });

  it('refunds a ticket once: the same tickets asked twice at once give one refund, one 409', async () => {
    const { ticketType, order, tickets } = await paidOrder(3);
    const ids = [tickets[0].id, tickets[1].id];

    const answers = await Promise.allSettled([
      refundOrder(node, admin, order.id, ids),
      refundOrder(node, organizer, order.id, ids),
    ]);

    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const refused = answers.find((a) => a.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 409, data: { refunded_ticket_ids: ids } });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 1 });
    expect((await paymentLedger(node, admin, order.id)).filter((r) => r.kind === 'refund')).toHaveLength(1);
    // One of them again, with another: refused whole, nothing changes.
    await expect(refundOrder(node, admin, order.id, [tickets[1].id, tickets[2].id])).rejects.toMatchObject({
      code: 409,
    });
    expect(await statusesOf(node, order.id)).toEqual(['void', 'void', 'valid']);
  });

  it('never refunds a used ticket: 409 naming it, and nothing changes', async () => {
    const { ticketType, order, tickets } = await paidOrder(2);
    await checkIn(node, tickets[0].qr_code);

    await expect(refundOrder(node, admin, order.id, [tickets[0].id, tickets[1].id])).rejects.toMatchObject({
      code: 409,
      data: { used_ticket_ids: [tickets[0].id] },
    });
    expect(await statusesOf(node, order.id)).toEqual(['used', 'valid']);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'completed' });

    // The unused one alone may go; the order stays partially refunded for good, and a whole refund is refused.
    await expect(refundOrder(node, admin, order.id, [tickets[1].id])).resolves.toMatchObject({
      payment_status: 'partially_refunded',
    });
    await expect(refundOrder(node, admin, order.id)).rejects.toMatchObject({
      code: 409,
      data: { used_ticket_ids: [tickets[0].id] },
    });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 1 });
  });

  it('refuses tickets of another order (404, naming them) and who may not refund (403/404), changing nothing', async () => {
    const { ticketType, order, tickets } = await paidOrder(2);
    const other = await paidOrder(1);

    await expect(refundOrder(node, admin, order.id, [tickets[0].id, other.tickets[0].id])).rejects.toMatchObject({
      code: 404,
      data: { unknown_ticket_ids: [other.tickets[0].id] },
    });
    await expect(refundOrder(node, buyer, order.id, [tickets[0].id])).rejects.toMatchObject({ code: 403 });
    await expect(refundOrder(node, otherOrganizer, order.id, [tickets[0].id])).rejects.toMatchObject({ code: 404 });
    await expect(refundOrder(node, otherBuyer, order.id, [tickets[0].id])).rejects.toMatchObject({ code: 404 });
    expect(await statusesOf(node, order.id)).toEqual(['valid', 'valid']);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
  });

  it('refuses malformed ticket_ids (422): empty, repeated, out of range, unknown fields', async () => {
    const { order, tickets } = await paidOrder(1);
    for (const params of [
      { ticket_ids: [] },
      { ticket_ids: [tickets[0].id, tickets[0].id] },
      { ticket_ids: [0] },
      { ticket_ids: [2 ** 31] },
      { ticket_ids: ['1\u0000'] },
      { ticket_ids: [tickets[0].id], amount: 1 },
    ]) {
      await expect(
        call(node.broker, 'ordering.orders.refund', malformed({ id: order.id, ...params }), as(admin)),
      ).rejects.toMatchObject({ code: 422 });
    }
    expect(await statusesOf(node, order.id)).toEqual(['valid']);
  });
});
