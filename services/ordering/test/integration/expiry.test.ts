import { call, type Event, type TicketType } from '@ticketpro/shared';
import { knexStatementsDuring } from '@ticketpro/shared/testing';
import { sweepExpiredOrders } from '../../src';
import { orderingNodeForFile } from '../support/ordering-node';
import {
  as,
  buyer,
  createEvent,
  createTicketType,
  getOrder,
  inventory,
  listOrders,
  orderBody,
  orderEvents,
  payOrder,
  placeOrder,
} from '../support/ordering-fixtures';

const HOLD_SECONDS = 1;
const node = orderingNodeForFile({ ORDER_HOLD_SECONDS: HOLD_SECONDS });
let event: Event;

beforeAll(async () => {
  event = await createEvent(node);
});

/** Gives a pending order, and its hold, ten more minutes. */
async function outlive(orderId: number) {
  const later = () => node.orderingDb.raw("now() + interval '10 minutes'");
  await node.orderingDb('orders').where({ id: orderId }).update({ expires_at: later() });
  await node.catalogDb('holds').where({ order_id: orderId }).update({ expires_at: later() });
}

const lapse = () => new Promise((resolve) => setTimeout(resolve, HOLD_SECONDS * 1000 + 150));
const sweep = () => sweepExpiredOrders(node.runtime, node.broker);

async function lapsedOrders(count: number, ticketType: TicketType) {
  const orders = [];
  for (let i = 0; i < count; i++) orders.push(await placeOrder(node, buyer, orderBody(event.id, ticketType.id, 2)));
  await lapse();
  return orders;
}

describe('an order past its expiry, before any sweep', () => {
  it('reads as expired at once, and its units are available again at once', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 5 });
    const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, 5));
    expect(await inventory(node, ticketType.id)).toEqual({ available: 0, sold: 0 });

    await lapse();

    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'expired' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 5, sold: 0 });
    const expiredIds = (await listOrders(node, buyer, { payment_status: 'expired', limit: 100 })).items.map(
      (o) => o.id,
    );
    const pendingIds = (await listOrders(node, buyer, { payment_status: 'pending', limit: 100 })).items.map(
      (o) => o.id,
    );
    expect(expiredIds).toContain(order.id);
    expect(pendingIds).not.toContain(order.id);
    // Nothing was written yet: the read computed it.
    expect(await node.orderingDb('orders').where('id', order.id).first('payment_status')).toEqual({
      payment_status: 'pending',
    });
    // Someone else can buy the freed units straight away.
    await expect(placeOrder(node, buyer, orderBody(event.id, ticketType.id, 5))).resolves.toMatchObject({
      payment_status: 'pending',
    });
  });

  it('refuses payment (409 expired), makes the order expired for good and releases the hold', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 5 });
    const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, 2));
    await lapse();

    await expect(payOrder(node, buyer, order.id)).rejects.toMatchObject({
      code: 409,
      message: expect.stringContaining('expired'),
    });

    expect(await node.orderingDb('orders').where('id', order.id).first('payment_status')).toEqual({
      payment_status: 'expired',
    });
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.expired']);
    expect(await node.catalogDb('holds').where('order_id', order.id).first('state')).toEqual({ state: 'released' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 5, sold: 0 });
    expect(await node.orderingDb('payments').where('order_id', order.id)).toEqual([]);
  });

  it('cannot be cancelled or changed any more (409)', async () => {
    const ticketType = await createTicketType(node, event.id);
    const [order] = await lapsedOrders(1, ticketType);
    await expect(call(node.broker, 'ordering.orders.cancel', { id: order.id }, as(buyer))).rejects.toMatchObject({
      code: 409,
    });
    await expect(
      call(node.broker, 'ordering.orders.update', { id: order.id, payment_method: 'cash' }, as(buyer)),
    ).rejects.toMatchObject({ code: 409 });
  });
});

describe('the expiry sweep', () => {
  it('expires each lapsed order exactly once when two sweeps race, and releases the holds', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 20 });
    const orders = await lapsedOrders(4, ticketType);
    const live = await placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id, 1) });
    // Live for the rest of the test however slow the machine, not just for HOLD_SECONDS.
    await outlive(live.id);

    const results = await Promise.all([sweep(), sweep()]);

    const expiredTotal = results.reduce((sum, r) => sum + r.expired, 0);
    const ours = orders.map((o) => o.id);
    const rows = await node.orderingDb('orders').whereIn('id', ours).select('payment_status');
    expect(rows.map((r) => r.payment_status)).toEqual(['expired', 'expired', 'expired', 'expired']);
    expect(expiredTotal).toBeGreaterThanOrEqual(4);
    for (const id of ours) {
      expect(await orderEvents(node, id)).toEqual(['ordering.order.created', 'ordering.order.expired']);
    }
    // Released by the sweep, or reclaimed as expired by catalog when the live order was held: gone either way.
    const holds = await node.catalogDb('holds').whereIn('order_id', ours).select('state');
    expect(holds.filter((h) => h.state === 'held')).toEqual([]);
    expect(await node.catalogDb('ticket_types').where('id', ticketType.id).first('held_quantity')).toEqual({
      held_quantity: 1,
    });
    expect(await getOrder(node, buyer, live.id)).toMatchObject({ payment_status: 'pending' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 19, sold: 0 });

    // Idempotent: nothing left to do, nothing recorded twice.
    await expect(sweep()).resolves.toEqual({ expired: 0, settled: 0, cancelled: 0 });
    for (const id of ours) expect(await orderEvents(node, id)).toHaveLength(2);
  });

  it('settles an order whose payment was captured but never completed (a crash mid-saga): refunded', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 5 });
    const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, 2));
    // The state a crash right after the provider took the money leaves behind.
    await node.orderingDb('payments').insert({
      order_id: order.id,
      provider: 'test',
      state: 'captured',
      amount: '39.98',
      currency: 'USD',
      provider_ref: `test_crash_${order.id}`,
    });
    await lapse();

    await expect(sweep()).resolves.toMatchObject({ settled: 1 });

    expect(await node.orderingDb('payments').where('order_id', order.id).first('state')).toEqual({ state: 'refunded' });
    expect(await getOrder(node, buyer, order.id)).toMatchObject({ payment_status: 'expired' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 5, sold: 0 });
  });

  it('with nothing to do, opens no transaction, locks nothing and sends no statement through knex', async () => {
    await sweep();
    const statements = await knexStatementsDuring(node.runtime.resources.db, async () => {
      await expect(sweep()).resolves.toEqual({ expired: 0, settled: 0, cancelled: 0 });
    });
    // Its questions (a lapsed order, a pending order of a closed event, a key to forget) go
    // straight through the driver; an outbox drain of an earlier test's events may still run.
    expect(statements.filter((sql) => /^begin|for update|orders|closed_events|idempotency_keys/i.test(sql))).toEqual(
      [],
    );

    // An order that lapses afterwards is still found by the next sweep.
    const ticketType = await createTicketType(node, event.id, { quantity: 3 });
    const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, 1));
    await lapse();
    await expect(sweep()).resolves.toMatchObject({ expired: 1 });
    expect(await orderEvents(node, order.id)).toEqual(['ordering.order.created', 'ordering.order.expired']);
  });

  it('with nothing to do, takes one connection from the pool for its three questions', async () => {
    await sweep();
    const lender = node.runtime.resources.db.client as { acquireConnection(): Promise<unknown> };
    const acquire = lender.acquireConnection.bind(lender);
    // Other users of the pool (the outbox poll) acquire too: only the sweep's acquires count.
    const bySweep: string[] = [];
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    const spy = jest.spyOn(lender, 'acquireConnection').mockImplementation(() => {
      const stack = new Error().stack ?? '';
      if (stack.includes('sweepExpiredOrders')) bySweep.push(stack);
      return acquire();
    });
    try {
      await expect(sweep()).resolves.toEqual({ expired: 0, settled: 0, cancelled: 0 });
    } finally {
      spy.mockRestore();
      Error.stackTraceLimit = stackTraceLimit;
    }
    expect(bySweep).toHaveLength(1);
  });

  it('forgets idempotency keys past their window, and keeps the others', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 5 });
    const keyRow = (key: string) => node.orderingDb('idempotency_keys').where({ user_id: buyer.id, key });
    const [old, recent] = [`expiry-old-${Date.now()}`, `expiry-recent-${Date.now()}`];
    for (const key of [old, recent]) {
      const order = await placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id, 1), idempotency_key: key });
      await outlive(order.id);
    }
    await keyRow(old).update({ created_at: node.orderingDb.raw("now() - interval '24 hours 1 second'") });

    await sweep();

    expect(await keyRow(old)).toEqual([]);
    expect(await keyRow(recent)).toHaveLength(1);
  });
});
