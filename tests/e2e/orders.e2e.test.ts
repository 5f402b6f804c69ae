import { randomUUID } from 'node:crypto';
import { createEvent as createEventBy, createTicketType as createTicketTypeBy } from '../support/sales';
import { startCluster, type Cluster } from '../support/cluster';
import { login, register, type Registered } from '../support/users';
import { waitFor, type ApiResponse, type RequestOptions, expectProblem } from '@ticketpro/shared/testing';

jest.setTimeout(120_000);

const ADMIN = { email: 'admin@orders.test', password: 'Admin-Passw0rd-Strong' };
const DAY_MS = 24 * 60 * 60 * 1000;
const MISSING_ID = 2_000_000_000;
/** The hold of the ordering instance the expiry tests swap in. */
const SHORT_HOLD_SECONDS = 2;

const ORDER_FIELDS = [
  'created_at',
  'currency',
  'discount',
  'event_id',
  'expires_at',
  'id',
  'items',
  'order_date',
  'payment_method',
  'payment_status',
  'promo_code',
  'total_price',
  'updated_at',
  'user_id',
];

let cluster: Cluster;
let admin: { id: number; access: string };
/** The organizer of the event every order here is for. */
let organizer: Registered;
/** Another organizer. */
let rival: Registered;
/** The user who places most orders. */
let buyer: Registered;
/** Another user. */
let stranger: Registered;
let event: { id: number };

beforeAll(async () => {
  cluster = await startCluster('e2e_orders', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  const { access } = await login(cluster.api, ADMIN.email, ADMIN.password);
  admin = { id: (await cluster.api('GET', '/api/v1/auth/me', { token: access })).body.id, access };
  organizer = await register(cluster.api, { firstname: 'Rudo', surname: 'Chari', role: 'organizer' });
  rival = await register(cluster.api, { firstname: 'Tafadzwa', surname: 'Ncube', role: 'organizer' });
  buyer = await register(cluster.api, { firstname: 'Farai', surname: 'Mlambo' });
  stranger = await register(cluster.api, { firstname: 'Chipo', surname: 'Dube' });
  event = await createEvent(organizer.access);
});
afterAll(async () => {
  await cluster?.stop();
});

/** Every answer of this file, so the last test can check that none was a 500. */
const answered: { request: string; status: number }[] = [];

async function api(method: string, path: string, options?: RequestOptions): Promise<ApiResponse> {
  const res = await cluster.api(method, path, options);
  answered.push({ request: `${method} ${path}`, status: res.status });
  return res;
}

const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const createEvent = (token: string) => createEventBy(api, token);

/** A ticket type of `eventId` (the shared event by default), by its organizer. */
const createTicketType = (overrides: Record<string, unknown> = {}, eventId = event.id, token = organizer.access) =>
  createTicketTypeBy(api, token, eventId, overrides);

/** What catalog says is left and sold of a ticket type. */
async function stock(ticketTypeId: number) {
  const res = await api('GET', `/api/v1/tickets/types/${ticketTypeId}`);
  expect(res.status).toBe(200);
  return { available: res.body.available_quantity as number, sold: res.body.sold_quantity as number };
}

function orderBody(items: { ticket_type_id: number; quantity: number }[], overrides: Record<string, unknown> = {}) {
  return { event_id: event.id, payment_method: 'ecocash', items, ...overrides };
}

async function placeOrder(ticketTypeId: number, quantity = 1, token = buyer.access) {
  const res = await api('POST', '/api/v1/orders', {
    token,
    body: orderBody([{ ticket_type_id: ticketTypeId, quantity }]),
  });
  if (res.status !== 201) throw new Error(`placing an order failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function paidOrder(ticketTypeId: number, quantity = 1, token = buyer.access) {
  const order = await placeOrder(ticketTypeId, quantity, token);
  const paid = await api('POST', `/api/v1/orders/${order.id}/pay`, { token });
  if (paid.status !== 200) throw new Error(`paying an order failed: ${paid.status} ${JSON.stringify(paid.body)}`);
  return paid.body;
}

const fieldsOf = (res: ApiResponse) => (res.body.errors ?? []).map((e: { field: string }) => e.field);
const expectInvalid = (res: ApiResponse, field: string) => {
  expectProblem(res, 422);
  expect(fieldsOf(res)).toContain(field);
};
const ids = (items: { id: number }[]) => items.map((item) => item.id);

describe('POST /orders', () => {
  it('holds the units at once and answers a pending order priced exactly: 3 × 19.99 = 59.97', async () => {
    const ticketType = await createTicketType({ price: 19.99, quantity: 10 });
    const before = Date.now();
    const res = await api('POST', '/api/v1/orders', {
      token: buyer.access,
      body: orderBody([{ ticket_type_id: ticketType.id, quantity: 3 }]),
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(ORDER_FIELDS);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      user_id: buyer.id,
      event_id: event.id,
      total_price: 59.97,
      currency: 'USD',
      payment_method: 'ecocash',
      payment_status: 'pending',
      items: [{ ticket_type_id: ticketType.id, quantity: 3, unit_price: 19.99 }],
    });
    // ORDER_HOLD_SECONDS defaults to 15 minutes.
    const holdMs = Date.parse(res.body.expires_at) - before;
    expect(holdMs).toBeGreaterThan(890_000);
    expect(holdMs).toBeLessThan(910_000);
    expect(await stock(ticketType.id)).toEqual({ available: 7, sold: 0 });
    expect((await api('GET', `/api/v1/orders/${res.body.id}`, { token: buyer.access })).body).toEqual(res.body);
  });

  it('adds prices of several ticket types without binary rounding: 0.10 + 2 × 0.20 = 0.50', async () => {
    const dime = await createTicketType({ price: 0.1 });
    const twenty = await createTicketType({ price: 0.2 });
    const order = await api('POST', '/api/v1/orders', {
      token: buyer.access,
      body: orderBody([
        { ticket_type_id: dime.id, quantity: 1 },
        { ticket_type_id: twenty.id, quantity: 2 },
      ]),
    });
    expect(order.status).toBe(201);
    expect(order.body.total_price).toBe(0.5);
    expect(order.body.items).toEqual(
      expect.arrayContaining([
        { ticket_type_id: dime.id, quantity: 1, unit_price: 0.1, discount: 0 },
        { ticket_type_id: twenty.id, quantity: 2, unit_price: 0.2, discount: 0 },
      ]),
    );
  });

  it('prices in the ticket type currency (ZWG)', async () => {
    const ticketType = await createTicketType({ price: 250, currency: 'ZWG' });
    const order = await placeOrder(ticketType.id, 2);
    expect(order).toMatchObject({ total_price: 500, currency: 'ZWG' });
  });

  it('fails the whole order when one item is sold out (409), holding nothing', async () => {
    const plenty = await createTicketType({ quantity: 10 });
    const scarce = await createTicketType({ quantity: 2 });
    const res = await api('POST', '/api/v1/orders', {
      token: buyer.access,
      body: orderBody([
        { ticket_type_id: plenty.id, quantity: 4 },
        { ticket_type_id: scarce.id, quantity: 3 },
      ]),
    });
    expectProblem(res, 409);
    expect(await stock(plenty.id)).toEqual({ available: 10, sold: 0 });
    expect(await stock(scarce.id)).toEqual({ available: 2, sold: 0 });
  });

  it.each([
    ['above max_per_order (422)', { max_per_order: 2 }, 3, 422],
    ['before its sales start (409)', { sales_start: inDays(5) }, 1, 409],
  ])('refuses an item %s, holding nothing', async (_what, options, quantity, status) => {
    const ticketType = await createTicketType({ quantity: 10, ...options });
    const res = await api('POST', '/api/v1/orders', {
      token: buyer.access,
      body: orderBody([{ ticket_type_id: ticketType.id, quantity }]),
    });
    expectProblem(res, status);
    expect(await stock(ticketType.id)).toEqual({ available: 10, sold: 0 });
  });

  it('refuses a ticket type of another event (422) and a missing event or ticket type (404)', async () => {
    const elsewhere = await createEvent(rival.access);
    const foreign = await createTicketType({ quantity: 10 }, elsewhere.id, rival.access);
    const local = await createTicketType({ quantity: 10 });
    const mixed = orderBody([
      { ticket_type_id: local.id, quantity: 1 },
      { ticket_type_id: foreign.id, quantity: 1 },
    ]);
    expectProblem(await api('POST', '/api/v1/orders', { token: buyer.access, body: mixed }), 422);
    expect(await stock(local.id)).toEqual({ available: 10, sold: 0 });
    expect(await stock(foreign.id)).toEqual({ available: 10, sold: 0 });

    const noEvent = orderBody([{ ticket_type_id: local.id, quantity: 1 }], { event_id: MISSING_ID });
    expectProblem(await api('POST', '/api/v1/orders', { token: buyer.access, body: noEvent }), 404);
    const noTicketType = orderBody([{ ticket_type_id: MISSING_ID, quantity: 1 }]);
    expectProblem(await api('POST', '/api/v1/orders', { token: buyer.access, body: noTicketType }), 404);
  });

  it.each([
    ['a client-set total price', { total_price: 0.01 }, 'total_price'],
    ['a client-set payment status', { payment_status: 'completed' }, 'payment_status'],
    ['a client-set owner', { user_id: 1 }, 'user_id'],
    ['an unknown field', { coupon: 'FREE' }, 'coupon'],
    ['an unknown payment method', { payment_method: 'bitcoin' }, 'payment_method'],
    ['a non-numeric event', { event_id: 'abc' }, 'event_id'],
    ['no items', { items: [] }, 'items'],
    ['a zero quantity', { items: [{ ticket_type_id: 1, quantity: 0 }] }, 'items.0.quantity'],
    ['a client-set unit price', { items: [{ ticket_type_id: 1, quantity: 1, unit_price: 0 }] }, 'items.0.unit_price'],
  ])('answers 422 for %s', async (_what, change, field) => {
    const ticketType = await createTicketType({ quantity: 5 });
    const body = { ...orderBody([{ ticket_type_id: ticketType.id, quantity: 1 }]), ...change };
    expectInvalid(await api('POST', '/api/v1/orders', { token: buyer.access, body }), field);
    expect(await stock(ticketType.id)).toEqual({ available: 5, sold: 0 });
  });

  it('answers 401 without a token and 400 for malformed JSON', async () => {
    const ticketType = await createTicketType({ quantity: 5 });
    const body = orderBody([{ ticket_type_id: ticketType.id, quantity: 1 }]);
    const anonymous = await api('POST', '/api/v1/orders', { body });
    expectProblem(anonymous, 401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expectProblem(await api('POST', '/api/v1/orders', { token: buyer.access, raw: '{"event_id": ' }), 400);
    expect(await stock(ticketType.id)).toEqual({ available: 5, sold: 0 });
  });
});

describe('GET /orders', () => {
  it("lists the caller's own orders, newest first; an admin sees everyone's", async () => {
    const listEvent = await createEvent(organizer.access);
    const ticketType = await createTicketType({ quantity: 20 }, listEvent.id);
    const place = async (token: string) => {
      const res = await api('POST', '/api/v1/orders', {
        token,
        body: orderBody([{ ticket_type_id: ticketType.id, quantity: 1 }], { event_id: listEvent.id }),
      });
      expect(res.status).toBe(201);
      return res.body;
    };
    const first = await place(buyer.access);
    const theirs = await place(stranger.access);
    const second = await place(buyer.access);

    const mine = await api('GET', `/api/v1/orders?event_id=${listEvent.id}`, { token: buyer.access });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({
      items: expect.any(Array),
      total: 2,
      skip: 0,
      limit: 20,
      has_next: false,
      has_prev: false,
    });
    expect(ids(mine.body.items)).toEqual([second.id, first.id]);
    expect(mine.body.items[1]).toEqual(first);

    const all = await api('GET', `/api/v1/orders?event_id=${listEvent.id}`, { token: admin.access });
    expect(ids(all.body.items)).toEqual([second.id, theirs.id, first.id]);

    const page = await api('GET', `/api/v1/orders?event_id=${listEvent.id}&limit=1&skip=1`, { token: admin.access });
    expect(page.body).toMatchObject({ total: 3, skip: 1, limit: 1, has_next: true, has_prev: true });
    expect(ids(page.body.items)).toEqual([theirs.id]);
  });

  it('filters by payment status and order date', async () => {
    const filterEvent = await createEvent(organizer.access);
    const ticketType = await createTicketType({ quantity: 20 }, filterEvent.id);
    const body = orderBody([{ ticket_type_id: ticketType.id, quantity: 1 }], { event_id: filterEvent.id });
    const pending = (await api('POST', '/api/v1/orders', { token: buyer.access, body })).body;
    const paid = (await api('POST', '/api/v1/orders', { token: buyer.access, body })).body;
    expect((await api('POST', `/api/v1/orders/${paid.id}/pay`, { token: buyer.access })).status).toBe(200);

    const list = (query: string) =>
      api('GET', `/api/v1/orders?event_id=${filterEvent.id}&${query}`, { token: buyer.access });
    expect(ids((await list('payment_status=completed')).body.items)).toEqual([paid.id]);
    expect(ids((await list('payment_status=pending')).body.items)).toEqual([pending.id]);
    expect((await list(`from_date=${inDays(1)}`)).body.total).toBe(0);
    expect((await list(`to_date=${inDays(-1)}`)).body.total).toBe(0);
    expect((await list(`from_date=${inDays(-1)}&to_date=${inDays(1)}`)).body.total).toBe(2);
  });

  it.each([
    'limit=101',
    'limit=0',
    'skip=-1',
    'event_id=abc',
    'payment_status=paid',
    'from_date=yesterday',
    'user_id=1',
  ])('answers 422 for the query %s', async (query) => {
    expectProblem(await api('GET', `/api/v1/orders?${query}`, { token: buyer.access }), 422);
  });

  it('answers 401 without a token', async () => {
    expectProblem(await api('GET', '/api/v1/orders'), 401);
  });
});

describe('GET /orders/{id}', () => {
  it('shows an order to its owner and an admin; to anyone else it does not exist (404)', async () => {
    const order = await placeOrder((await createTicketType()).id);
    expect((await api('GET', `/api/v1/orders/${order.id}`, { token: buyer.access })).body).toEqual(order);
    expect((await api('GET', `/api/v1/orders/${order.id}`, { token: admin.access })).body).toEqual(order);
    expectProblem(await api('GET', `/api/v1/orders/${order.id}`, { token: stranger.access }), 404);
    expectProblem(await api('GET', `/api/v1/orders/${order.id}`), 401);
  });

  it('answers 404 for a missing order and 422 for a malformed id', async () => {
    expectProblem(await api('GET', `/api/v1/orders/${MISSING_ID}`, { token: admin.access }), 404);
    for (const id of ['abc', '0', '-1', '1.5', '99999999999']) {
      expectProblem(await api('GET', `/api/v1/orders/${id}`, { token: buyer.access }), 422);
    }
  });
});

describe('PUT /orders/{id}', () => {
  it('lets the owner change the payment method while the order is pending', async () => {
    const order = await placeOrder((await createTicketType()).id);
    const res = await api('PUT', `/api/v1/orders/${order.id}`, {
      token: buyer.access,
      body: { payment_method: 'paypal' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: order.id,
      payment_method: 'paypal',
      payment_status: 'pending',
      total_price: order.total_price,
    });
    expect((await api('GET', `/api/v1/orders/${order.id}`, { token: buyer.access })).body).toEqual(res.body);
  });

  it('keeps the payment status for admins (403 to the owner); another user gets 404', async () => {
    const order = await placeOrder((await createTicketType()).id);
    const path = `/api/v1/orders/${order.id}`;
    expectProblem(await api('PUT', path, { token: buyer.access, body: { payment_status: 'completed' } }), 403);
    expectProblem(await api('PUT', path, { token: stranger.access, body: { payment_method: 'cash' } }), 404);
    expect((await api('GET', path, { token: buyer.access })).body).toEqual(order);

    const byAdmin = await api('PUT', path, { token: admin.access, body: { payment_status: 'failed' } });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.payment_status).toBe('failed');
  });

  it('keeps the inventory right when an admin sets the status by hand: failed releases, completed sells', async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const failed = await placeOrder(ticketType.id, 2);
    const completed = await placeOrder(ticketType.id, 3);
    const set = (id: number, status: string) =>
      api('PUT', `/api/v1/orders/${id}`, { token: admin.access, body: { payment_status: status } });
    expect((await set(failed.id, 'failed')).status).toBe(200);
    expect((await set(completed.id, 'completed')).body.payment_status).toBe('completed');
    expect(await stock(ticketType.id)).toEqual({ available: 7, sold: 3 });
  });

  it('refuses changes to a completed order (409)', async () => {
    const order = await paidOrder((await createTicketType()).id);
    const res = await api('PUT', `/api/v1/orders/${order.id}`, {
      token: buyer.access,
      body: { payment_method: 'cash' },
    });
    expectProblem(res, 409);
    expectProblem(
      await api('PUT', `/api/v1/orders/${order.id}`, { token: admin.access, body: { payment_status: 'pending' } }),
      409,
    );
  });

  it.each([
    ['nothing to change', {}, '(body)'],
    ['a total price', { total_price: 1 }, 'total_price'],
    ['an unknown field', { items: [] }, 'items'],
    ['an unknown payment method', { payment_method: 'bitcoin' }, 'payment_method'],
  ])('answers 422 for %s', async (_what, body, field) => {
    const order = await placeOrder((await createTicketType()).id);
    expectInvalid(await api('PUT', `/api/v1/orders/${order.id}`, { token: buyer.access, body }), field);
  });

  it('answers 404 for a missing order, 422 for a malformed id and 401 without a token', async () => {
    const body = { payment_method: 'cash' };
    expectProblem(await api('PUT', `/api/v1/orders/${MISSING_ID}`, { token: admin.access, body }), 404);
    expectProblem(await api('PUT', '/api/v1/orders/abc', { token: admin.access, body }), 422);
    expectProblem(await api('PUT', '/api/v1/orders/1', { body }), 401);
  });
});

describe('DELETE /orders/{id}', () => {
  it('cancels a pending order for its owner: the units are available again and the order is gone', async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const order = await placeOrder(ticketType.id, 4);
    expect(await stock(ticketType.id)).toEqual({ available: 6, sold: 0 });

    expectProblem(await api('DELETE', `/api/v1/orders/${order.id}`, { token: stranger.access }), 404);
    const res = await api('DELETE', `/api/v1/orders/${order.id}`, { token: buyer.access });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: expect.any(String) });
    expect(await stock(ticketType.id)).toEqual({ available: 10, sold: 0 });

    expectProblem(await api('GET', `/api/v1/orders/${order.id}`, { token: buyer.access }), 404);
    const listed = await api('GET', `/api/v1/orders?limit=100`, { token: buyer.access });
    expect(ids(listed.body.items)).not.toContain(order.id);
    expectProblem(await api('DELETE', `/api/v1/orders/${order.id}`, { token: buyer.access }), 404);
    expectProblem(await api('POST', `/api/v1/orders/${order.id}/pay`, { token: buyer.access }), 404);
  });

  it("lets an admin cancel a user's order", async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const order = await placeOrder(ticketType.id, 2);
    expect((await api('DELETE', `/api/v1/orders/${order.id}`, { token: admin.access })).status).toBe(200);
    expect(await stock(ticketType.id)).toEqual({ available: 10, sold: 0 });
  });

  it('refuses to cancel a paid order (409: request a refund), selling on', async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const order = await paidOrder(ticketType.id, 2);
    const res = await api('DELETE', `/api/v1/orders/${order.id}`, { token: buyer.access });
    expectProblem(res, 409);
    expect(res.body.detail).toMatch(/refund/i);
    expect(await stock(ticketType.id)).toEqual({ available: 8, sold: 2 });
  });

  it('answers 422 for a malformed id and 401 without a token', async () => {
    expectProblem(await api('DELETE', '/api/v1/orders/abc', { token: buyer.access }), 422);
    expectProblem(await api('DELETE', '/api/v1/orders/1'), 401);
  });
});

describe('POST /orders/{id}/pay', () => {
  it('completes the order through the test provider: the held units are sold', async () => {
    const ticketType = await createTicketType({ price: 19.99, quantity: 10 });
    const order = await placeOrder(ticketType.id, 3);
    expectProblem(await api('POST', `/api/v1/orders/${order.id}/pay`, { token: stranger.access }), 404);

    const res = await api('POST', `/api/v1/orders/${order.id}/pay`, { token: buyer.access });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: order.id, payment_status: 'completed', total_price: 59.97 });
    expect(await stock(ticketType.id)).toEqual({ available: 7, sold: 3 });
    expect((await api('GET', `/api/v1/orders/${order.id}`, { token: buyer.access })).body.payment_status).toBe(
      'completed',
    );

    expectProblem(await api('POST', `/api/v1/orders/${order.id}/pay`, { token: buyer.access }), 409);
    expect(await stock(ticketType.id)).toEqual({ available: 7, sold: 3 });
  });

  it('fails the order on a declined payment (409): nothing sold, the units released', async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const order = await placeOrder(ticketType.id, 2);
    expect(await stock(ticketType.id)).toEqual({ available: 8, sold: 0 });
    const res = await api('POST', `/api/v1/orders/${order.id}/pay`, { token: buyer.access, body: { fail: true } });
    expectProblem(res, 409);
    expect(res.body.detail).toMatch(/declined/i);
    expect((await api('GET', `/api/v1/orders/${order.id}`, { token: buyer.access })).body.payment_status).toBe(
      'failed',
    );
    expect(await stock(ticketType.id)).toEqual({ available: 10, sold: 0 });
    expectProblem(await api('POST', `/api/v1/orders/${order.id}/pay`, { token: buyer.access }), 409);
    expect(await stock(ticketType.id)).toEqual({ available: 10, sold: 0 });
  });

  it('answers 422 for an unknown body field or a malformed id, 401 without a token', async () => {
    const order = await placeOrder((await createTicketType()).id);
    expectInvalid(
      await api('POST', `/api/v1/orders/${order.id}/pay`, { token: buyer.access, body: { amount: 0.01 } }),
      'amount',
    );
    expectProblem(await api('POST', '/api/v1/orders/abc/pay', { token: buyer.access }), 422);
    expectProblem(await api('POST', `/api/v1/orders/${order.id}/pay`), 401);
    expect((await api('GET', `/api/v1/orders/${order.id}`, { token: buyer.access })).body.payment_status).toBe(
      'pending',
    );
  });
});

describe('POST /orders/{id}/refund', () => {
  it("refunds a completed order for an admin or the event's organizer, returning its units", async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const first = await paidOrder(ticketType.id, 3);
    const second = await paidOrder(ticketType.id, 2);
    expect(await stock(ticketType.id)).toEqual({ available: 5, sold: 5 });

    const byAdmin = await api('POST', `/api/v1/orders/${first.id}/refund`, { token: admin.access });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ id: first.id, payment_status: 'refunded', total_price: first.total_price });
    expect(await stock(ticketType.id)).toEqual({ available: 8, sold: 2 });

    const byOrganizer = await api('POST', `/api/v1/orders/${second.id}/refund`, { token: organizer.access });
    expect(byOrganizer.status).toBe(200);
    expect(byOrganizer.body.payment_status).toBe('refunded');
    expect(await stock(ticketType.id)).toEqual({ available: 10, sold: 0 });
    expect((await api('GET', `/api/v1/orders/${second.id}`, { token: buyer.access })).body.payment_status).toBe(
      'refunded',
    );

    expectProblem(await api('POST', `/api/v1/orders/${first.id}/refund`, { token: admin.access }), 409);
    expect(await stock(ticketType.id)).toEqual({ available: 10, sold: 0 });
  });

  it('refuses the buyer (403); to another organizer or user the order does not exist (404); nothing changes', async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const order = await paidOrder(ticketType.id, 1);
    expectProblem(await api('POST', `/api/v1/orders/${order.id}/refund`, { token: buyer.access }), 403);
    expectProblem(await api('POST', `/api/v1/orders/${order.id}/refund`, { token: rival.access }), 404);
    expectProblem(await api('POST', `/api/v1/orders/${order.id}/refund`, { token: stranger.access }), 404);
    expectProblem(await api('POST', `/api/v1/orders/${order.id}/refund`), 401);
    expect((await api('GET', `/api/v1/orders/${order.id}`, { token: buyer.access })).body.payment_status).toBe(
      'completed',
    );
    expect(await stock(ticketType.id)).toEqual({ available: 9, sold: 1 });
  });

  it('refuses to refund an order that is not paid (409), and answers 404 and 422 for missing and malformed ids', async () => {
    const order = await placeOrder((await createTicketType()).id);
    expectProblem(await api('POST', `/api/v1/orders/${order.id}/refund`, { token: admin.access }), 409);
    expectProblem(await api('POST', `/api/v1/orders/${MISSING_ID}/refund`, { token: admin.access }), 404);
    expectProblem(await api('POST', '/api/v1/orders/abc/refund', { token: admin.access }), 422);
  });
});

describe('Idempotency-Key', () => {
  const withKey = (key: string, token = buyer.access) => ({ token, headers: { 'Idempotency-Key': key } });

  it('replays a repeated create: same status and body, one order, one hold', async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const body = orderBody([{ ticket_type_id: ticketType.id, quantity: 2 }]);
    const key = randomUUID();
    const first = await api('POST', '/api/v1/orders', { ...withKey(key), body });
    const again = await api('POST', '/api/v1/orders', { ...withKey(key), body });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await stock(ticketType.id)).toEqual({ available: 8, sold: 0 });

    // The same key from another user is another request.
    const theirs = await api('POST', '/api/v1/orders', { ...withKey(key, stranger.access), body });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(first.body.id);
    expect(await stock(ticketType.id)).toEqual({ available: 6, sold: 0 });
  });

  it('answers 422 for the same key with another body, changing nothing', async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const key = randomUUID();
    const body = orderBody([{ ticket_type_id: ticketType.id, quantity: 1 }]);
    expect((await api('POST', '/api/v1/orders', { ...withKey(key), body })).status).toBe(201);
    const changed = orderBody([{ ticket_type_id: ticketType.id, quantity: 3 }]);
    expectProblem(await api('POST', '/api/v1/orders', { ...withKey(key), body: changed }), 422);
    expect(await stock(ticketType.id)).toEqual({ available: 9, sold: 0 });
  });

  it('replays a refused create too: the same problem, without trying again', async () => {
    const ticketType = await createTicketType({ quantity: 1 });
    const key = randomUUID();
    const body = orderBody([{ ticket_type_id: ticketType.id, quantity: 1 }]);
    // Sold out at first; a repeat must not buy the unit that comes free afterwards.
    const blocker = await placeOrder(ticketType.id, 1, stranger.access);
    const refused = await api('POST', '/api/v1/orders', { ...withKey(key), body });
    expectProblem(refused, 409);
    expect((await api('DELETE', `/api/v1/orders/${blocker.id}`, { token: stranger.access })).status).toBe(200);
    const replayed = await api('POST', '/api/v1/orders', { ...withKey(key), body });
    expectProblem(replayed, 409);
    expect(replayed.body.detail).toBe(refused.body.detail);
    expect(await stock(ticketType.id)).toEqual({ available: 1, sold: 0 });
  });

  it('creates one order from five simultaneous requests with one key', async () => {
    const concurrentEvent = await createEvent(organizer.access);
    const ticketType = await createTicketType({ quantity: 10 }, concurrentEvent.id);
    const key = randomUUID();
    const body = orderBody([{ ticket_type_id: ticketType.id, quantity: 1 }], { event_id: concurrentEvent.id });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => api('POST', '/api/v1/orders', { ...withKey(key), body })),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const listed = await api('GET', `/api/v1/orders?event_id=${concurrentEvent.id}`, { token: admin.access });
    expect(listed.body.total).toBe(1);
    expect(await stock(ticketType.id)).toEqual({ available: 9, sold: 0 });
  });

  it('replays a repeated payment: same status and body, paid once', async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const order = await placeOrder(ticketType.id, 2);
    const key = randomUUID();
    const path = `/api/v1/orders/${order.id}/pay`;
    const answers = await Promise.all([api('POST', path, withKey(key)), api('POST', path, withKey(key))]);
    const again = await api('POST', path, withKey(key));
    for (const res of [...answers, again]) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual(answers[0].body);
    }
    expect(answers[0].body.payment_status).toBe('completed');
    expect(await stock(ticketType.id)).toEqual({ available: 8, sold: 2 });

    expectProblem(await api('POST', path, { ...withKey(key), body: { fail: true } }), 422);
    // Without the key it is a new request, and the order is paid already.
    expectProblem(await api('POST', path, { token: buyer.access }), 409);
  });

  it('answers 422 for a malformed key', async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const body = orderBody([{ ticket_type_id: ticketType.id, quantity: 1 }]);
    expectInvalid(await api('POST', '/api/v1/orders', { ...withKey('k'.repeat(256)), body }), 'idempotency-key');
    expectInvalid(await api('POST', '/api/v1/orders', { ...withKey('two words'), body }), 'idempotency-key');
    expect(await stock(ticketType.id)).toEqual({ available: 10, sold: 0 });
  });
});

describe('POST /payments/webhooks/stripe', () => {
  const post = (headers: Record<string, string>) =>
    fetch(`${cluster.baseUrl}/api/v1/payments/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{"id": "evt_1", "type": "payment_intent.succeeded"}',
    });

  it('answers 400 without a Stripe-Signature header', async () => {
    const res = await post({});
    answered.push({ request: 'POST /api/v1/payments/webhooks/stripe', status: res.status });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('hands a signed call to ordering, which has no Stripe to answer for under the test provider (404)', async () => {
    const res = await post({ 'Stripe-Signature': 't=1700000000,v1=00' });
    answered.push({ request: 'POST /api/v1/payments/webhooks/stripe', status: res.status });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/Stripe/);
  });
});

describe(`expiry (ORDER_HOLD_SECONDS=${SHORT_HOLD_SECONDS})`, () => {
  beforeAll(async () => {
    // Swap the ordering instance for one with a short hold, so every order from here on lapses
    // quickly. The old one goes first: once health answers, ordering can only be the new one.
    await Promise.all(cluster.processes.filter((p) => p.name === 'ordering').map((p) => p.stop()));
    await cluster.startService('ordering', { ORDER_HOLD_SECONDS: String(SHORT_HOLD_SECONDS) });
    await waitFor(`${cluster.baseUrl}/health`, (status) => status === 200);
  });

  it('shows a lapsed order as expired and its units as available, at once', async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const order = await placeOrder(ticketType.id, 4);
    expect(Date.parse(order.expires_at) - Date.parse(order.created_at)).toBeLessThan(SHORT_HOLD_SECONDS * 1000 + 1000);
    expect(await stock(ticketType.id)).toEqual({ available: 6, sold: 0 });

    await sleep(Date.parse(order.expires_at) - Date.now() + 200);
    expect((await api('GET', `/api/v1/orders/${order.id}`, { token: buyer.access })).body.payment_status).toBe(
      'expired',
    );
    expect(await stock(ticketType.id)).toEqual({ available: 10, sold: 0 });
    const listed = await api('GET', `/api/v1/orders?payment_status=expired&limit=100`, { token: buyer.access });
    expect(ids(listed.body.items)).toContain(order.id);
  });

  it('refuses to pay, change or cancel an expired order (409), selling nothing', async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const order = await placeOrder(ticketType.id, 2);
    await sleep(Date.parse(order.expires_at) - Date.now() + 200);

    const path = `/api/v1/orders/${order.id}`;
    expectProblem(await api('POST', `${path}/pay`, { token: buyer.access }), 409);
    expectProblem(await api('PUT', path, { token: buyer.access, body: { payment_method: 'cash' } }), 409);
    expectProblem(await api('DELETE', path, { token: buyer.access }), 409);
    expect(await stock(ticketType.id)).toEqual({ available: 10, sold: 0 });
    expect((await api('GET', path, { token: buyer.access })).body.payment_status).toBe('expired');
  });
});

describe('all of the above', () => {
  it('answered no request with a 500', () => {
    expect(answered.length).toBeGreaterThan(100);
    expect(answered.filter((a) => a.status >= 500)).toEqual([]);
  });
});
