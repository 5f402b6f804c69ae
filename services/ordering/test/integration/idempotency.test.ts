import { call, type Event, type Order } from '@ticketpro/shared';
import { eventually } from '@ticketpro/shared/testing';
import { orderingNodeForFile } from '../support/ordering-node';
import {
  buyer,
  createEvent,
  createTicketType,
  getOrder,
  inventory,
  orderBody,
  otherBuyer,
  payOrder,
  placeOrder,
} from '../support/ordering-fixtures';

const node = orderingNodeForFile({ ORDER_HOLD_SECONDS: 600 });
let event: Event;
let keyCounter = 0;

beforeAll(async () => {
  event = await createEvent(node);
});

const newKey = () => `key-${Date.now()}-${++keyCounter}`;
const ordersOf = (userId: number, eventId = event.id) =>
  node.orderingDb('orders').where({ user_id: userId, event_id: eventId }).count({ n: '*' }).first();

describe('Idempotency-Key on ordering.orders.create', () => {
  it('replays the first answer to a repeat and places one order', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const key = newKey();
    const body = { ...orderBody(event.id, ticketType.id, 2), idempotency_key: key };

    const first = await placeOrder(node, buyer, body);
    const again = await placeOrder(node, buyer, body);

    expect(again).toEqual(first);
    expect(
      await node.orderingDb('orders').where('user_id', buyer.id).whereIn('id', [first.id]).count({ n: '*' }).first(),
    ).toEqual({ n: 1 });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 0 });
  });

  it('stores the answer with the order: the answer stored, the order read back and a repeat are the first answer', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const key = newKey();
    const body = { ...orderBody(event.id, ticketType.id, 1), idempotency_key: key };

    const first = await placeOrder(node, buyer, body);

    const stored = await node.orderingDb('idempotency_keys').where({ user_id: buyer.id, key }).first('response');
    expect(stored.response).toEqual({ status: 201, body: first });
    expect(await getOrder(node, buyer, first.id)).toEqual(first);
    expect(await placeOrder(node, buyer, body)).toEqual(first);
  });

  it('refuses the same key with a different body (422) and changes nothing', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const key = newKey();
    await placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id, 1), idempotency_key: key });

    await expect(
      placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id, 3), idempotency_key: key }),
    ).rejects.toMatchObject({ code: 422, data: { errors: [{ field: 'Idempotency-Key' }] } });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 0 });
  });

  it('keeps keys per user: another user with the same key gets an order of their own', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const key = newKey();
    const body = { ...orderBody(event.id, ticketType.id, 1), idempotency_key: key };
    const mine = await placeOrder(node, buyer, body);
    const theirs = await placeOrder(node, otherBuyer, body);
    expect(theirs.id).not.toBe(mine.id);
    expect(theirs.user_id).toBe(otherBuyer.id);
  });

  it('replays a refusal as it was, even once the request would now succeed', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 1 });
    const key = newKey();
    const body = { ...orderBody(event.id, ticketType.id, 2), idempotency_key: key };
    const refusal = { code: 409, type: 'conflict', message: expect.stringContaining('sold out') };
    await expect(placeOrder(node, buyer, body)).rejects.toMatchObject(refusal);

    await call(
      node.broker,
      'catalog.ticketTypes.update',
      { id: ticketType.id, quantity: 5 },
      { meta: { user: { id: 101, role: 'organizer' } } },
    );
    await expect(placeOrder(node, buyer, body)).rejects.toMatchObject(refusal);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 5, sold: 0 });
  });

  it('places exactly one order for 10 concurrent requests with one key, and all get its answer', async () => {
    const concurrentEvent = await createEvent(node);
    const ticketType = await createTicketType(node, concurrentEvent.id, { quantity: 100 });
    const key = newKey();
    const body = { ...orderBody(concurrentEvent.id, ticketType.id, 1), idempotency_key: key };

    const answers = await Promise.all(Array.from({ length: 10 }, () => placeOrder(node, buyer, body)));

    expect(new Set(answers.map((a: Order) => a.id)).size).toBe(1);
    expect(await ordersOf(buyer.id, concurrentEvent.id)).toEqual({ n: 1 });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 99, sold: 0 });
  });
});

describe('Idempotency-Key claims that may be taken over', () => {
  const keyRow = (userId: number, key: string) => node.orderingDb('idempotency_keys').where({ user_id: userId, key });
  /** Leaves the key's row as a request that died while working would: unanswered, its lease run out. */
  const abandonClaim = (key: string) =>
    keyRow(buyer.id, key).update({
      response: null,
      lease_expires_at: node.orderingDb.raw("now() - interval '1 second'"),
    });

  it('lets exactly one of several concurrent repeats take over a claim whose lease ran out', async () => {
    const takeoverEvent = await createEvent(node);
    const ticketType = await createTicketType(node, takeoverEvent.id, { quantity: 100 });
    const key = newKey();
    const body = { ...orderBody(takeoverEvent.id, ticketType.id, 1), idempotency_key: key };
    const lost = await placeOrder(node, buyer, body);
    await abandonClaim(key);

    const answers = await Promise.all(Array.from({ length: 5 }, () => placeOrder(node, buyer, body)));

    expect(new Set(answers.map((a: Order) => a.id)).size).toBe(1);
    expect(answers[0].id).not.toBe(lost.id);
    expect(await ordersOf(buyer.id, takeoverEvent.id)).toEqual({ n: 2 });
    expect(await keyRow(buyer.id, key).first('response')).toEqual({ response: { status: 201, body: answers[0] } });
  });

  it('writes no order for an attempt that resumes after its claim was taken over: both answer the order of the one that took over', async () => {
    const takeoverEvent = await createEvent(node);
    const ticketType = await createTicketType(node, takeoverEvent.id, { quantity: 100 });
    const key = newKey();
    const body = { ...orderBody(takeoverEvent.id, ticketType.id, 1), idempotency_key: key };
    // The ticket type's row locked: each attempt claims the key, then waits in catalog's hold.
    const ticketTypeLock = await node.catalogDb.transaction();
    await ticketTypeLock('ticket_types').where('id', ticketType.id).forUpdate().first('id');
    try {
      const first = placeOrder(node, buyer, body);
      const firstToken = await eventually(async () => (await keyRow(buyer.id, key).first('claim_token'))?.claim_token);
      // The first attempt stalls past its lease (its renewals no longer count), and a repeat takes the claim over.
      await keyRow(buyer.id, key).update({
        claim_token: null,
        lease_expires_at: node.orderingDb.raw("now() - interval '1 second'"),
      });
      const repeat = placeOrder(node, buyer, body);
      await eventually(async () => {
        const token = (await keyRow(buyer.id, key).first('claim_token'))?.claim_token;
        return token !== null && token !== firstToken;
      });
      await ticketTypeLock.commit();

      const answers = await Promise.all([first, repeat]);

      expect(answers[0]).toEqual(answers[1]);
      expect(await ordersOf(buyer.id, takeoverEvent.id)).toEqual({ n: 1 });
      expect(await keyRow(buyer.id, key).first('response')).toEqual({ response: { status: 201, body: answers[1] } });
      // The first attempt's hold was given back when its order did not commit.
      expect(await inventory(node, ticketType.id)).toEqual({ available: 99, sold: 0 });
    } finally {
      if (!ticketTypeLock.isCompleted()) await ticketTypeLock.rollback();
    }
  });

  it('answers a pay taken over after its first attempt paid and died unanswered with the paid order, once', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, 1));
    const key = newKey();
    await payOrder(node, buyer, order.id, { idempotency_key: key });
    await abandonClaim(key);

    const resumed = await payOrder(node, buyer, order.id, { idempotency_key: key });

    expect(resumed).toMatchObject({ id: order.id, payment_status: 'completed' });
    expect(await node.orderingDb('payments').where('order_id', order.id)).toHaveLength(1);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 1 });
    // Another key is another request: the order is no longer payable.
    await expect(payOrder(node, buyer, order.id, { idempotency_key: newKey() })).rejects.toMatchObject({ code: 409 });
  });

  it('completes a pay taken over after its first attempt died with the payment under way, once', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, 1));
    // The first attempt recorded its payment and is asking the provider, its lease renewed.
    const [{ id: paymentId }] = await node
      .orderingDb('payments')
      .insert({
        order_id: order.id,
        provider: 'test',
        method: order.payment_method,
        amount: order.total_price,
        currency: order.currency,
        recorded_by: buyer.id,
        charging_until: node.orderingDb.raw("now() + interval '1 minute'"),
      })
      .returning('id');
    const key = newKey();

    // A repeat waits for that attempt's answer; the attempt dies (its lease runs out) and the repeat takes it over.
    const repeat = payOrder(node, buyer, order.id, { idempotency_key: key });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await node.orderingDb('payments').where('id', paymentId).first('state')).toEqual({ state: 'initiated' });
    await node
      .orderingDb('payments')
      .where('id', paymentId)
      .update({ charging_until: node.orderingDb.raw("now() - interval '1 second'") });

    expect(await repeat).toMatchObject({ id: order.id, payment_status: 'completed' });
    expect(await node.orderingDb('payments').where('order_id', order.id).pluck('state')).toEqual(['captured']);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 1 });
  });

  it('refuses another request on a claim whose lease ran out (422) and leaves the claim as it was', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const key = newKey();
    await placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id, 1), idempotency_key: key });
    await abandonClaim(key);
    const before = await keyRow(buyer.id, key).first();

    await expect(
      placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id, 3), idempotency_key: key }),
    ).rejects.toMatchObject({ code: 422, data: { errors: [{ field: 'Idempotency-Key' }] } });
    expect(await keyRow(buyer.id, key).first()).toEqual(before);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 9, sold: 0 });
  });

  it('reuses a key for any request once its window is over', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const key = newKey();
    const first = await placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id, 1), idempotency_key: key });
    await keyRow(buyer.id, key).update({ created_at: node.orderingDb.raw("now() - interval '25 hours'") });

    const second = await placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id, 3), idempotency_key: key });

    expect(second.id).not.toBe(first.id);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 6, sold: 0 });
    expect(await keyRow(buyer.id, key).first('response')).toEqual({ response: { status: 201, body: second } });
  });
});

describe('Idempotency-Key on ordering.orders.pay', () => {
  it('pays once and replays the answer to repeats, sequential and concurrent', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, 2));
    const key = newKey();

    const answers = await Promise.all(
      Array.from({ length: 5 }, () => payOrder(node, buyer, order.id, { idempotency_key: key })),
    );
    const later = await payOrder(node, buyer, order.id, { idempotency_key: key });

    for (const answer of [...answers, later])
      expect(answer).toMatchObject({ id: order.id, payment_status: 'completed' });
    expect(await node.orderingDb('payments').where('order_id', order.id)).toHaveLength(1);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 8, sold: 2 });
    // Without the key, paying again is the state conflict it is.
    await expect(payOrder(node, buyer, order.id)).rejects.toMatchObject({ code: 409 });
  });

  it('replays a declined payment as the same 409, and refuses the key on another request (422)', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const order = await placeOrder(node, buyer, orderBody(event.id, ticketType.id, 1));
    const key = newKey();
    const declined = { code: 409, message: expect.stringMatching(/payment declined/i) };

    await expect(payOrder(node, buyer, order.id, { fail: true, idempotency_key: key })).rejects.toMatchObject(declined);
    await expect(payOrder(node, buyer, order.id, { fail: true, idempotency_key: key })).rejects.toMatchObject(declined);
    await expect(payOrder(node, buyer, order.id, { idempotency_key: key })).rejects.toMatchObject({ code: 422 });
    expect(await node.orderingDb('payments').where('order_id', order.id)).toHaveLength(1);
  });

  it('does not let one key serve both a create and a pay (422)', async () => {
    const ticketType = await createTicketType(node, event.id, { quantity: 10 });
    const key = newKey();
    const order = await placeOrder(node, buyer, { ...orderBody(event.id, ticketType.id, 1), idempotency_key: key });
    await expect(payOrder(node, buyer, order.id, { idempotency_key: key })).rejects.toMatchObject({ code: 422 });
  });
});
