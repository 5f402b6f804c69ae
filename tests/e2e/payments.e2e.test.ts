import { createEvent, createTicketType } from '../support/sales';
import { startCluster, type Cluster } from '../support/cluster';
import { freePort } from '../support/processes';
import { PaynowStandIn } from '../support/paynow-stand-in';
import { paynowSettings, startMobilePayment, waitForOrderStatus } from '../support/paynow-sales';
import { waitForTicketCount, waitForTickets } from '../support/tickets';
import { register, type Registered } from '../support/users';
import { expectProblem } from '@ticketpro/shared/testing';

jest.setTimeout(180_000);

/** Short, so that one test can watch a hold lapse; every other payment settles well within it. */
const HOLD_SECONDS = 6;
const PENDING_MAX_SECONDS = 8;

const paynow = new PaynowStandIn('30815', 'f4a7c2e1-1b2c-4d5e-8f90-e2e0paynow00');
let cluster: Cluster;
let organizer: Registered;
let buyer: Registered;
let stranger: Registered;
let event: { id: number };

beforeAll(async () => {
  const apiUrl = await paynow.start();
  const port = await freePort();
  cluster = await startCluster(
    'e2e_payments',
    {
      ...paynowSettings(paynow, apiUrl, `http://127.0.0.1:${port}`),
      ORDER_HOLD_SECONDS: String(HOLD_SECONDS),
      PAYMENT_PENDING_MAX_SECONDS: String(PENDING_MAX_SECONDS),
      PAYMENT_POLL_INTERVAL_SECONDS: '1',
    },
    { gatewayPort: port },
  );
  organizer = await register(cluster.api, { firstname: 'Rudo', surname: 'Chari', role: 'organizer' });
  buyer = await register(cluster.api, { firstname: 'Farai', surname: 'Mlambo' });
  stranger = await register(cluster.api, { firstname: 'Chipo', surname: 'Dube' });
  event = await createEvent(cluster.api, organizer.access);
});

afterAll(async () => {
  await cluster?.stop();
  await paynow.stop();
});

const available = async (ticketTypeId: number) =>
  (await cluster.api('GET', `/api/v1/tickets/types/${ticketTypeId}`)).body.available_quantity as number;
const ledger = async (orderId: number, token = buyer.access) =>
  (await cluster.api('GET', `/api/v1/orders/${orderId}/payments`, { token })).body as {
    id: number;
    kind: string;
    state: string;
    amount: number;
  }[];
const newTicketType = () => createTicketType(cluster.api, organizer.access, event.id, { price: 5, quantity: 10 });

describe('EcoCash through Paynow, over separate processes', () => {
  it('pays by the result callback: 202 awaiting confirmation, then completed with tickets issued', async () => {
    const ticketType = await newTicketType();
    const { order, reference } = await startMobilePayment(cluster.api, buyer.access, event.id, ticketType.id, 2);
    expect(order).toMatchObject({
      payment_status: 'pending',
      payment: { provider: 'paynow', status: 'awaiting_confirmation', instructions: expect.any(String) },
    });
    expect(paynow.transaction(reference)).toMatchObject({ amount: '10.00', phone: '0771234567', method: 'ecocash' });

    const answer = await paynow.notify(reference, 'Paid');

    expect(answer).toEqual({ status: 200, body: JSON.stringify({ received: true }) });
    await waitForOrderStatus(cluster.api, buyer.access, order.id, 'completed', 1000);
    await waitForTicketCount(cluster.api, buyer.access, order.id, 2);
    expect(await available(ticketType.id)).toBe(8);
    expect(await ledger(order.id)).toMatchObject([{ kind: 'payment', state: 'completed', amount: 10 }]);
    // A repeat changes nothing; a forged one is refused.
    expect((await paynow.notify(reference, 'Paid')).status).toBe(200);
    const forged = await paynow.notify(reference, 'Paid', { forgedWith: 'guessed-key' });
    expect(forged.status).toBe(400);
    expect(await ledger(order.id)).toHaveLength(1);
  });

  it('pays by polling the poll URL when no callback comes', async () => {
    const ticketType = await newTicketType();
    const { order, reference } = await startMobilePayment(cluster.api, buyer.access, event.id, ticketType.id, 1);

    paynow.setStatus(reference, 'Paid');

    await waitForOrderStatus(cluster.api, buyer.access, order.id, 'completed');
    await waitForTicketCount(cluster.api, buyer.access, order.id, 1);
    expect(await available(ticketType.id)).toBe(9);
  });

  it('releases the units when the buyer cancels on the phone', async () => {
    const ticketType = await newTicketType();
    const { order, reference } = await startMobilePayment(cluster.api, buyer.access, event.id, ticketType.id, 3);
    expect(await available(ticketType.id)).toBe(7);

    expect((await paynow.notify(reference, 'Cancelled')).status).toBe(200);

    await waitForOrderStatus(cluster.api, buyer.access, order.id, 'failed', 1000);
    expect(await available(ticketType.id)).toBe(10);
    expect(await ledger(order.id)).toMatchObject([{ state: 'cancelled' }]);
  });

  it('records money confirmed after the hold lapsed as a refund owed, and sells nothing', async () => {
    const ticketType = await newTicketType();
    const { order, reference } = await startMobilePayment(cluster.api, buyer.access, event.id, ticketType.id, 2);
    // Kept up to PAYMENT_PENDING_MAX_SECONDS, then lapsed.
    await waitForOrderStatus(cluster.api, buyer.access, order.id, 'expired', (PENDING_MAX_SECONDS + 5) * 1000);

    expect((await paynow.notify(reference, 'Paid')).status).toBe(200);

    expect(await ledger(order.id)).toMatchObject([
      { kind: 'payment', state: 'refunded', amount: 10 },
      { kind: 'refund', state: 'refund_owed', amount: 10 },
    ]);
    expect((await cluster.api('GET', `/api/v1/orders/${order.id}`, { token: buyer.access })).body).toMatchObject({
      payment_status: 'expired',
    });
    expect(await available(ticketType.id)).toBe(10);
  });

  it('refunds 2 of 3 tickets: 2 units back, 2 tickets void, 1 valid, order partially_refunded, refund owed', async () => {
    const ticketType = await newTicketType();
    const { order, reference } = await startMobilePayment(cluster.api, buyer.access, event.id, ticketType.id, 3);
    await paynow.notify(reference, 'Paid');
    const tickets = (await waitForTicketCount(cluster.api, buyer.access, order.id, 3)).sort((a, b) => a.id - b.id);

    const refund = (token: string, body: object) =>
      cluster.api('POST', `/api/v1/orders/${order.id}/refund`, { token, body });
    expectProblem(await refund(buyer.access, { ticket_ids: [tickets[0].id] }), 403);
    expectProblem(await refund(stranger.access, { ticket_ids: [tickets[0].id] }), 404);
    expectProblem(await refund(organizer.access, { ticket_ids: [tickets[0].id], amount: 5 }), 422);
    const answer = await refund(organizer.access, { ticket_ids: [tickets[0].id, tickets[1].id] });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ payment_status: 'partially_refunded' });
    expect(await available(ticketType.id)).toBe(9);
    const after = await waitForTickets(cluster.api, buyer.access, order.id, (t) => t.length === 3);
    expect(after.sort((a, b) => a.id - b.id).map((t) => t.status)).toEqual(['void', 'void', 'valid']);
    const owed = (await ledger(order.id)).find((r) => r.kind === 'refund')!;
    expect(owed).toMatchObject({ state: 'refund_owed', amount: 10 });
    expectProblem(await refund(organizer.access, { ticket_ids: [tickets[1].id] }), 409);

    const settled = await cluster.api('POST', `/api/v1/payments/transactions/${owed.id}/settle`, {
      token: organizer.access,
    });
    expect(settled.status).toBe(200);
    expect(settled.body).toMatchObject({ state: 'refunded', settled_by: organizer.id });
    const row = await cluster.api('GET', `/api/v1/payments/transactions/${owed.id}`, { token: buyer.access });
    expect(row.body).toMatchObject({ id: owed.id, state: 'refunded' });
    expectProblem(
      await cluster.api('GET', `/api/v1/payments/transactions/${owed.id}`, { token: stranger.access }),
      404,
    );
  });

  it('settles a payment once when the callback and a poll reach ordering at the same instant', async () => {
    const ticketType = await newTicketType();
    const { order, reference } = await startMobilePayment(cluster.api, buyer.access, event.id, ticketType.id, 2);
    paynow.holdPolls();
    try {
      paynow.setStatus(reference, 'Paid');
      // A poll of this payment is under way, held; the callback goes the instant it is let go.
      await waitUntil(() => paynow.heldPolls > 0);
    } finally {
      paynow.releasePolls();
    }
    const callback = await paynow.notify(reference, 'Paid');

    expect(callback.status).toBe(200);
    await waitForOrderStatus(cluster.api, buyer.access, order.id, 'completed');
    await waitForTicketCount(cluster.api, buyer.access, order.id, 2);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await ledger(order.id)).toMatchObject([{ kind: 'payment', state: 'completed' }]);
    expect(await available(ticketType.id)).toBe(8);
    const tickets = await waitForTickets(cluster.api, buyer.access, order.id, (t) => t.length >= 2);
    expect(tickets).toHaveLength(2);
  });
});

describe('paying again while the payment is awaited, over separate processes', () => {
  it('answers repeated pays, at the same instant or later, with the one awaited payment: one push, 202 each time', async () => {
    const ticketType = await newTicketType();
    const placed = await cluster.api('POST', '/api/v1/orders', {
      token: buyer.access,
      body: { event_id: event.id, payment_method: 'ecocash', items: [{ ticket_type_id: ticketType.id, quantity: 2 }] },
    });
    const pay = (options: { body?: object; token?: string; key?: string } = {}) =>
      cluster.api('POST', `/api/v1/orders/${placed.body.id}/pay`, {
        token: options.token ?? buyer.access,
        body: options.body,
        headers: options.key ? { 'idempotency-key': options.key } : undefined,
      });
    const pushes = paynow.initiations;

    paynow.holdInitiations();
    let together;
    try {
      const pays = Promise.all([pay(), pay(), pay({ key: `repeat-${placed.body.id}` })]);
      // Paynow holds the first push while the other pays reach ordering.
      await waitUntil(() => paynow.heldInitiations > 0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      paynow.releaseInitiations();
      together = await pays;
    } finally {
      paynow.releaseInitiations();
    }
    const later = await pay();

    const first = together[0].body;
    expect(first).toMatchObject({ payment_status: 'pending', payment: { status: 'awaiting_confirmation' } });
    for (const res of [...together, later]) {
      expect(res.status).toBe(202);
      expect(res.body).toEqual(first);
    }
    expect(paynow.initiations - pushes).toBe(1);

    // Another number is another pay: 409 naming the awaited payment.
    const other = await pay({ body: { phone: '0712345678' } });
    expectProblem(other, 409);
    expect(other.body).toMatchObject({ payment_id: first.payment.id, order_id: placed.body.id });
    // Someone else's order, unknown or server-owned fields, a NUL byte, an id out of range.
    expectProblem(await pay({ token: stranger.access }), 404);
    expectProblem(await pay({ body: { amount: 0.01 } }), 422);
    expectProblem(await pay({ body: { redirect_url: 'https://evil.example/pay' } }), 422);
    expectProblem(await pay({ body: { phone: '0771234567\u0000' } }), 422);
    expectProblem(await cluster.api('POST', '/api/v1/orders/99999999999/pay', { token: buyer.access }), 422);
    expect(paynow.initiations - pushes).toBe(1);

    // The money balances: paid once, one payment, two units sold.
    await paynow.notify(`TP-${first.payment.id}`, 'Paid');
    await waitForOrderStatus(cluster.api, buyer.access, placed.body.id, 'completed');
    expect(await ledger(placed.body.id)).toMatchObject([{ kind: 'payment', state: 'completed', amount: 10 }]);
    expect(await available(ticketType.id)).toBe(8);
  });

  it("gives the web checkout's redirect URL again to the buyer (the order, the ledger, a repeated pay), to nobody else", async () => {
    const ticketType = await newTicketType();
    const placed = await cluster.api('POST', '/api/v1/orders', {
      token: buyer.access,
      body: { event_id: event.id, payment_method: 'paynow', items: [{ ticket_type_id: ticketType.id, quantity: 1 }] },
    });
    const paid = await cluster.api('POST', `/api/v1/orders/${placed.body.id}/pay`, { token: buyer.access });
    expect(paid.status).toBe(202);
    const redirectUrl = paid.body.payment.redirect_url as string;
    expect(redirectUrl).toContain('/payment/confirm');

    const again = await cluster.api('POST', `/api/v1/orders/${placed.body.id}/pay`, { token: buyer.access });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(paid.body);
    const read = await cluster.api('GET', `/api/v1/orders/${placed.body.id}`, { token: buyer.access });
    expect(read.body.payment).toEqual(paid.body.payment);
    expect(await ledger(placed.body.id)).toMatchObject([{ state: 'awaiting_confirmation', redirect_url: redirectUrl }]);

    const organizers = await ledger(placed.body.id, organizer.access);
    expect(organizers).toHaveLength(1);
    expect(organizers[0]).not.toHaveProperty('redirect_url');
    expectProblem(await cluster.api('GET', `/api/v1/orders/${placed.body.id}`, { token: stranger.access }), 404);
    expectProblem(
      await cluster.api('GET', `/api/v1/orders/${placed.body.id}/payments`, { token: stranger.access }),
      404,
    );
  });
});

describe('cash at the door, over separate processes', () => {
  it("completes a cash order the event's organizer records, naming who took the money; nobody else records it", async () => {
    const ticketType = await newTicketType();
    const placed = await cluster.api('POST', '/api/v1/orders', {
      token: buyer.access,
      body: { event_id: event.id, payment_method: 'cash', items: [{ ticket_type_id: ticketType.id, quantity: 2 }] },
    });
    expect(placed.status).toBe(201);
    const cash = (token: string) =>
      cluster.api('POST', `/api/v1/orders/${placed.body.id}/payments/cash`, {
        token,
        body: { amount: 10, note: 'Gate B, receipt 17' },
      });

    const paid = await cash(organizer.access);

    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ payment_status: 'completed' });
    await waitForTicketCount(cluster.api, buyer.access, placed.body.id, 2);
    expect(await available(ticketType.id)).toBe(8);
    expect(await ledger(placed.body.id)).toMatchObject([
      { kind: 'payment', provider: 'cash', state: 'completed', amount: 10, recorded_by: organizer.id },
    ]);
    expectProblem(await cash(buyer.access), 403);
    expectProblem(await cash(stranger.access), 404);
    expect(await ledger(placed.body.id)).toHaveLength(1);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
