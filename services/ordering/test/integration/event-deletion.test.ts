import { randomUUID } from 'node:crypto';
import { LocalPublisher, localDomainEvents, type Event, call } from '@ticketpro/shared';
import { eventually, malformed } from '@ticketpro/shared/testing';
import { sweepExpiredOrders } from '../../src';
import { orderingNodeForFile } from '../support/ordering-node';
import {
  as,
  buyer,
  createEvent,
  createTicketType,
  orderBody,
  orderEvents,
  organizer,
  otherBuyer,
  payOrder,
  placeOrder,
} from '../support/ordering-fixtures';

/** `DELETE /events/{id}`: refused only for paid orders; the pending ones are cancelled with the event. */
const node = orderingNodeForFile({ ORDER_HOLD_SECONDS: 600 });

const deleteEvent = (eventId: number) => call(node.broker, 'catalog.events.delete', { id: eventId }, as(organizer));
const cancelForEvent = (eventId: number) => call(node.broker, 'ordering.orders.cancelForEvent', { event_id: eventId });
const sweep = () => sweepExpiredOrders(node.runtime, node.broker);

/** Each order of the event: its status as stored, whether it is soft-deleted, and its live held units in catalog. */
async function ordersOf(eventId: number) {
  const orders = await node
    .orderingDb('orders')
    .where('event_id', eventId)
    .orderBy('id')
    .select('id', 'payment_status', 'deleted_at');
  const held = await node
    .catalogDb('holds')
    .whereIn(
      'order_id',
      orders.map((o) => o.id),
    )
    .where('state', 'held')
    .sum({ units: 'quantity' })
    .first();
  return {
    statuses: orders.map((o) => o.payment_status),
    deleted: orders.filter((o) => o.deleted_at).length,
    liveHeld: Number(held?.units ?? 0),
  };
}

async function eventWithType(): Promise<{ event: Event; ticketTypeId: number }> {
  const event = await createEvent(node);
  return { event, ticketTypeId: (await createTicketType(node, event.id, { quantity: 50 })).id };
}

describe('deleting an event', () => {
  it('cancels its pending orders before it answers: holds released, orders cancelled with their events', async () => {
    const { event, ticketTypeId } = await eventWithType();
    const mine = await placeOrder(node, buyer, orderBody(event.id, ticketTypeId, 2));
    const theirs = await placeOrder(node, otherBuyer, orderBody(event.id, ticketTypeId, 3));

    await expect(deleteEvent(event.id)).resolves.toEqual({ message: 'Event deleted; 2 pending orders cancelled' });

    expect(await ordersOf(event.id)).toEqual({ statuses: ['cancelled', 'cancelled'], deleted: 2, liveHeld: 0 });
    for (const order of [mine, theirs]) {
      expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.cancelled']);
    }
    await expect(payOrder(node, buyer, mine.id)).rejects.toMatchObject({ code: 404 });
    await expect(cancelForEvent(event.id)).resolves.toEqual({ event_id: event.id, cancelled: 0 });
  });

  it('is refused (409) while the event has a paid order, and then cancels nothing', async () => {
    const { event, ticketTypeId } = await eventWithType();
    const paid = await placeOrder(node, buyer, orderBody(event.id, ticketTypeId, 1));
    await payOrder(node, buyer, paid.id);
    await placeOrder(node, otherBuyer, orderBody(event.id, ticketTypeId, 1));

    await expect(deleteEvent(event.id)).rejects.toMatchObject({
      code: 409,
      message: expect.stringContaining('paid orders'),
    });

    expect(await ordersOf(event.id)).toEqual({ statuses: ['completed', 'pending'], deleted: 0, liveHeld: 1 });
    expect(await node.orderingDb('closed_events').where('event_id', event.id)).toEqual([]);
  });

  it('ends every order placed while it is under way cancelled (the sweep takes the late ones), and sells none', async () => {
    const { event, ticketTypeId } = await eventWithType();
    const buyers = Array.from({ length: 12 }, (_, i) => ({ id: 5000 + i, role: 'user' as const }));

    const [deleted, ...placed] = await Promise.allSettled([
      deleteEvent(event.id),
      ...buyers.map((who) => placeOrder(node, who, orderBody(event.id, ticketTypeId, 1))),
    ]);
    await sweep();

    expect(deleted.status).toBe('fulfilled');
    for (const outcome of placed) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 404 });
    }
    const after = await ordersOf(event.id);
    expect(after.statuses.every((status) => status === 'cancelled')).toBe(true);
    expect(after.statuses).toHaveLength(placed.filter((p) => p.status === 'fulfilled').length);
    expect(after.liveHeld).toBe(0);
    expect(await node.catalogDb('ticket_types').where('id', ticketTypeId).first()).toMatchObject({
      sold_quantity: 0,
      held_quantity: 0,
    });
  });

  it("cancels the pending orders from catalog's event when the call did not get through", async () => {
    const { event, ticketTypeId } = await eventWithType();
    const pending = await placeOrder(node, buyer, orderBody(event.id, ticketTypeId, 2));
    const announced = {
      id: randomUUID(),
      type: 'ticketpro.catalog.event.deleted',
      source: 'catalog',
      time: new Date().toISOString(),
      specversion: '1.0',
      dataversion: 1,
      data: { id: event.id, organizer_id: organizer.id },
    } as const;

    await new LocalPublisher(localDomainEvents).publish(announced);
    await eventually(async () => (await node.orderingDb('closed_events').where('event_id', event.id)).length === 1);
    await expect(sweep()).resolves.toMatchObject({ cancelled: 1 });

    expect(await ordersOf(event.id)).toEqual({ statuses: ['cancelled'], deleted: 1, liveHeld: 0 });
    expect(await orderEvents(node, pending.id)).toEqual(['ordering.order.created', 'ordering.order.cancelled']);
  });

  it('refuses malformed params (422)', async () => {
    for (const params of [{}, { event_id: 0 }, { event_id: 'one' }, { event_id: 1, extra: true }]) {
      await expect(call(node.broker, 'ordering.orders.cancelForEvent', malformed(params))).rejects.toMatchObject({
        code: 422,
      });
    }
  });
});
