import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { createEvent as createEventBy, createTicketType as createTicketTypeBy } from '../support/sales';
import { startCluster, type Cluster } from '../support/cluster';
import { waitForTicketCount, waitForTickets, type TicketView } from '../support/tickets';
import { login, register, type Registered } from '../support/users';
import { type ApiResponse, type RequestOptions, expectProblem } from '@ticketpro/shared/testing';

jest.setTimeout(120_000);

const ADMIN = { email: 'admin@tickets.test', password: 'Admin-Passw0rd-Strong' };
const MISSING_ID = 2_000_000_000;
/** How long a test waits, once the tickets are there, for any duplicate to turn up. */
const SETTLE_MS = 2_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const TICKET_FIELDS = [
  'checked_in',
  'checked_out',
  'created_at',
  'event_id',
  'id',
  'order_id',
  'qr_code',
  'seat_number',
  'status',
  'ticket_type_id',
  'updated_at',
  'validated_at',
  'validated_by',
];

let cluster: Cluster;
let admin: { id: number; access: string };
/** The organizer of the event every order here is for. */
let organizer: Registered;
/** Another organizer, of another event. */
let rival: Registered;
/** The user who buys the tickets. */
let buyer: Registered;
/** Another user. */
let stranger: Registered;
let event: { id: number };

beforeAll(async () => {
  cluster = await startCluster('e2e_tickets', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  const { access } = await login(cluster.api, ADMIN.email, ADMIN.password);
  admin = { id: (await cluster.api('GET', '/api/v1/auth/me', { token: access })).body.id, access };
  organizer = await register(cluster.api, { firstname: 'Rudo', surname: 'Chari', role: 'organizer' });
  rival = await register(cluster.api, { firstname: 'Tafadzwa', surname: 'Ncube', role: 'organizer' });
  buyer = await register(cluster.api, { firstname: 'Farai', surname: 'Mlambo' });
  stranger = await register(cluster.api, { firstname: 'Chipo', surname: 'Dube' });
  event = await createEvent(organizer.access);
  await createEvent(rival.access);
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

/** The raw answer, for the QR image. */
async function fetchImage(path: string, token: string) {
  const res = await fetch(`${cluster.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  answered.push({ request: `GET ${path}`, status: res.status });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const createEvent = (token: string) => createEventBy(api, token, { event_name: `Jazz on the Lawn ${randomUUID()}` });

const createTicketType = (overrides: Record<string, unknown> = {}) =>
  createTicketTypeBy(api, organizer.access, event.id, overrides);

async function placeOrder(ticketTypeId: number, quantity: number) {
  const res = await api('POST', '/api/v1/orders', {
    token: buyer.access,
    body: { event_id: event.id, payment_method: 'ecocash', items: [{ ticket_type_id: ticketTypeId, quantity }] },
  });
  if (res.status !== 201) throw new Error(`placing an order failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: number };
}

async function pay(orderId: number) {
  const res = await api('POST', `/api/v1/orders/${orderId}/pay`, { token: buyer.access });
  if (res.status !== 200) throw new Error(`paying an order failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A paid order of `quantity` units of a fresh ticket type, and its tickets once issued. */
async function boughtTickets(quantity: number) {
  const ticketType = await createTicketType();
  const order = await placeOrder(ticketType.id, quantity);
  await pay(order.id);
  const tickets = await waitForTicketCount(cluster.api, buyer.access, order.id, quantity);
  expect(tickets).toHaveLength(quantity);
  return { order, ticketType, tickets };
}

/** One valid ticket of a fresh paid order. */
async function boughtTicket(): Promise<TicketView> {
  return (await boughtTickets(1)).tickets[0];
}

const scan = (kind: 'validate' | 'checkin' | 'checkout', qrCode: string, token = organizer.access) =>
  api('POST', `/api/v1/validation/${kind}`, { token, body: { qr_code: qrCode } });

/** A code whose signature no longer matches: one character of it changed. */
function forge(code: string): string {
  const last = code.at(-2) === 'A' ? 'B' : 'A';
  return `${code.slice(0, -2)}${last}${code.slice(-1)}`;
}

describe('issuing', () => {
  it('issues one valid ticket per paid unit, each with its own code', async () => {
    const { order, ticketType, tickets } = await boughtTickets(3);
    for (const ticket of tickets) {
      expect(Object.keys(ticket).sort()).toEqual(TICKET_FIELDS);
      expect(ticket).toMatchObject({
        order_id: order.id,
        ticket_type_id: ticketType.id,
        event_id: event.id,
        status: 'valid',
        seat_number: null,
        checked_in: false,
        checked_out: false,
        validated_at: null,
        validated_by: null,
      });
    }
    expect(new Set(tickets.map((t) => t.id)).size).toBe(3);
    expect(new Set(tickets.map((t) => t.qr_code)).size).toBe(3);

    await sleep(SETTLE_MS);
    expect((await api('GET', `/api/v1/tickets?order_id=${order.id}`, { token: admin.access })).body.total).toBe(3);
  });
});

describe('GET /tickets', () => {
  it("lists the caller's own tickets, newest first; another user sees none of them; an admin sees all", async () => {
    const { order, tickets } = await boughtTickets(2);
    const mine = await api('GET', '/api/v1/tickets?limit=100', { token: buyer.access });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((t: TicketView) => t.id)).toEqual(expect.arrayContaining(tickets.map((t) => t.id)));
    const created = mine.body.items.map((t: TicketView) => Date.parse(t.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));

    const theirs = await api('GET', '/api/v1/tickets', { token: stranger.access });
    expect(theirs.body).toEqual({ items: [], total: 0, skip: 0, limit: 20, has_next: false, has_prev: false });
    expect((await api('GET', `/api/v1/tickets?order_id=${order.id}`, { token: stranger.access })).body.total).toBe(0);

    const all = await api('GET', `/api/v1/tickets?order_id=${order.id}`, { token: admin.access });
    expect(all.body.items.map((t: TicketView) => t.id).sort()).toEqual(tickets.map((t) => t.id).sort());
  });

  it('filters by event and check-in, and pages', async () => {
    const { order, tickets } = await boughtTickets(3);
    expect((await scan('checkin', tickets[0].qr_code)).status).toBe(200);
    const list = (query: string) =>
      api('GET', `/api/v1/tickets?order_id=${order.id}&${query}`, { token: buyer.access });
    expect((await list('checked_in=true')).body.items.map((t: TicketView) => t.id)).toEqual([tickets[0].id]);
    expect((await list('checked_in=false')).body.total).toBe(2);
    expect((await list(`event_id=${event.id}`)).body.total).toBe(3);
    expect((await list(`event_id=${MISSING_ID}`)).body.total).toBe(0);
    expect((await list('limit=1&skip=1')).body).toMatchObject({
      total: 3,
      skip: 1,
      limit: 1,
      has_next: true,
      has_prev: true,
    });
  });

  it.each(['limit=101', 'skip=-1', 'order_id=abc', 'checked_in=maybe', 'user_id=1'])(
    'answers 422 for the query %s',
    async (query) => {
      expectProblem(await api('GET', `/api/v1/tickets?${query}`, { token: buyer.access }), 422);
    },
  );

  it('answers 401 without a token', async () => {
    const res = await api('GET', '/api/v1/tickets');
    expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('GET /tickets/{id}', () => {
  it("shows a ticket to its owner, the event's organizer and an admin; to anyone else it does not exist", async () => {
    const ticket = await boughtTicket();
    for (const token of [buyer.access, organizer.access, admin.access]) {
      const res = await api('GET', `/api/v1/tickets/${ticket.id}`, { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(ticket);
    }
    expectProblem(await api('GET', `/api/v1/tickets/${ticket.id}`, { token: stranger.access }), 404);
    expectProblem(await api('GET', `/api/v1/tickets/${ticket.id}`, { token: rival.access }), 404);
    expectProblem(await api('GET', `/api/v1/tickets/${MISSING_ID}`, { token: admin.access }), 404);
    expectProblem(await api('GET', '/api/v1/tickets/abc', { token: admin.access }), 422);
  });
});

describe('GET /tickets/{id}/qr', () => {
  it('answers the QR code as a PNG, and as SVG on request', async () => {
    const ticket = await boughtTicket();
    const png = await fetchImage(`/api/v1/tickets/${ticket.id}/qr`, buyer.access);
    expect(png.status).toBe(200);
    expect(png.contentType).toBe('image/png');
    expect(png.bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(png.bytes.length).toBeGreaterThan(100);

    const svg = await fetchImage(`/api/v1/tickets/${ticket.id}/qr?format=svg`, admin.access);
    expect(svg.status).toBe(200);
    expect(svg.contentType).toMatch(/^image\/svg\+xml/);
    expect(svg.bytes.toString('utf8')).toMatch(/^(<\?xml[^>]*>\s*)?<svg[\s>]/);
  });

  it('keeps the image from other users (404) and refuses an unknown format (422)', async () => {
    const ticket = await boughtTicket();
    expectProblem(await api('GET', `/api/v1/tickets/${ticket.id}/qr`, { token: stranger.access }), 404);
    expectProblem(await api('GET', `/api/v1/tickets/${ticket.id}/qr?format=gif`, { token: buyer.access }), 422);
  });
});

describe('check-in', () => {
  it("admits a ticket once when the event's organizer scans it; a second scan is 409 with the first validated_at", async () => {
    const ticket = await boughtTicket();
    const validated = await scan('validate', ticket.qr_code);
    expect(validated.status).toBe(200);
    expect(validated.body).toMatchObject({
      ticket_id: ticket.id,
      event_id: event.id,
      status: 'valid',
      admitted: true,
      checked_in: false,
    });

    const first = await scan('checkin', ticket.qr_code);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      ticket_id: ticket.id,
      event_id: event.id,
      status: 'used',
      admitted: true,
      checked_in: true,
      checked_out: false,
      validated_by: organizer.id,
    });
    expect(Math.abs(Date.parse(first.body.validated_at) - Date.now())).toBeLessThan(60_000);

    const second = await scan('checkin', ticket.qr_code);
    expectProblem(second, 409);
    expect(second.body.validated_at).toBe(first.body.validated_at);
    expect((await scan('validate', ticket.qr_code)).body).toMatchObject({ admitted: false, checked_in: true });

    const status = await api('GET', `/api/v1/validation/status/${ticket.id}`, { token: buyer.access });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      ticket_id: ticket.id,
      checked_in: true,
      validated_at: first.body.validated_at,
    });
    const shown = (await api('GET', `/api/v1/tickets/${ticket.id}`, { token: buyer.access })).body;
    expect(shown).toMatchObject({
      status: 'used',
      checked_in: true,
      validated_at: first.body.validated_at,
      validated_by: organizer.id,
    });
  });

  it('admits exactly one of ten scanners checking the same ticket in at the same instant', async () => {
    const ticket = await boughtTicket();
    const answers = await Promise.all(Array.from({ length: 10 }, () => scan('checkin', ticket.qr_code)));
    const admitted = answers.filter((a) => a.status === 200);
    expect(admitted).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 200);
    for (const res of refused) {
      expectProblem(res, 409);
      expect(res.body.validated_at).toBe(admitted[0].body.validated_at);
    }
  });

  it('lets an admin scan any ticket', async () => {
    const ticket = await boughtTicket();
    const res = await scan('checkin', ticket.qr_code, admin.access);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ admitted: true, validated_by: admin.id });
  });

  it('answers 404 for a forged or unknown code, changing nothing', async () => {
    const ticket = await boughtTicket();
    for (const code of [forge(ticket.qr_code), 'TP1.AAAA.BBBB', 'not a ticket code']) {
      expectProblem(await scan('checkin', code), 404);
      expectProblem(await scan('validate', code), 404);
    }
    expect((await api('GET', `/api/v1/tickets/${ticket.id}`, { token: buyer.access })).body.checked_in).toBe(false);
  });

  it('refuses scans by a plain user, even the owner, and by the organizer of another event (403)', async () => {
    const ticket = await boughtTicket();
    for (const token of [buyer.access, stranger.access, rival.access]) {
      expectProblem(await scan('checkin', ticket.qr_code, token), 403);
      expectProblem(await scan('validate', ticket.qr_code, token), 403);
      expectProblem(await scan('checkout', ticket.qr_code, token), 403);
    }
    expect((await api('GET', `/api/v1/tickets/${ticket.id}`, { token: buyer.access })).body.checked_in).toBe(false);
  });

  it('checks a ticket out after its check-in, not before', async () => {
    const ticket = await boughtTicket();
    expectProblem(await scan('checkout', ticket.qr_code), 409);
    expect((await scan('checkin', ticket.qr_code)).status).toBe(200);
    const out = await scan('checkout', ticket.qr_code);
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ ticket_id: ticket.id, checked_in: true, checked_out: true });
    const status = await api('GET', `/api/v1/validation/status/${ticket.id}`, { token: organizer.access });
    expect(status.body).toMatchObject({ checked_in: true, checked_out: true });
  });

  it('shows the status to the owner, the organizer and an admin only', async () => {
    const ticket = await boughtTicket();
    for (const token of [buyer.access, organizer.access, admin.access]) {
      const res = await api('GET', `/api/v1/validation/status/${ticket.id}`, { token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ticket_id: ticket.id, event_id: event.id, status: 'valid', checked_in: false });
    }
    for (const token of [stranger.access, rival.access]) {
      expectProblem(await api('GET', `/api/v1/validation/status/${ticket.id}`, { token }), 404);
    }
  });

  it('answers 422 for a missing or malformed code and 401 without a token', async () => {
    expectProblem(await api('POST', '/api/v1/validation/checkin', { token: organizer.access, body: {} }), 422);
    expectProblem(
      await api('POST', '/api/v1/validation/checkin', { token: organizer.access, body: { qr_code: 7 } }),
      422,
    );
    expectProblem(
      await api('POST', '/api/v1/validation/checkin', { token: organizer.access, raw: '{"qr_code": ' }),
      400,
    );
    expectProblem(await api('POST', '/api/v1/validation/checkin', { body: { qr_code: 'TP1.AAAA.BBBB' } }), 401);
    expectProblem(await api('GET', '/api/v1/validation/status/abc', { token: organizer.access }), 422);
  });
});

describe('PUT and DELETE /tickets/{id}', () => {
  it('lets the owner set the seat but not the check-in flags (403)', async () => {
    const ticket = await boughtTicket();
    const seated = await api('PUT', `/api/v1/tickets/${ticket.id}`, {
      token: buyer.access,
      body: { seat_number: 'Row C 4' },
    });
    expect(seated.status).toBe(200);
    expect(seated.body).toMatchObject({ id: ticket.id, seat_number: 'Row C 4', checked_in: false });

    expectProblem(
      await api('PUT', `/api/v1/tickets/${ticket.id}`, { token: buyer.access, body: { checked_in: true } }),
      403,
    );
    expectProblem(
      await api('PUT', `/api/v1/tickets/${ticket.id}`, { token: stranger.access, body: { seat_number: 'A1' } }),
      404,
    );
    expectProblem(
      await api('PUT', `/api/v1/tickets/${ticket.id}`, { token: buyer.access, body: { status: 'used' } }),
      422,
    );
    expectProblem(await api('PUT', `/api/v1/tickets/${ticket.id}`, { token: buyer.access, body: {} }), 422);
    const shown = (await api('GET', `/api/v1/tickets/${ticket.id}`, { token: buyer.access })).body;
    expect(shown).toMatchObject({ seat_number: 'Row C 4', checked_in: false, status: 'valid' });
  });

  it("lets the event's organizer set the check-in flag", async () => {
    const ticket = await boughtTicket();
    const res = await api('PUT', `/api/v1/tickets/${ticket.id}`, {
      token: organizer.access,
      body: { checked_in: true },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ checked_in: true, validated_by: organizer.id });
    expectProblem(await scan('checkin', ticket.qr_code), 409);
  });

  it('refuses to cancel a checked-in ticket (409)', async () => {
    const ticket = await boughtTicket();
    expect((await scan('checkin', ticket.qr_code)).status).toBe(200);
    expectProblem(await api('DELETE', `/api/v1/tickets/${ticket.id}`, { token: buyer.access }), 409);
    expect((await api('GET', `/api/v1/tickets/${ticket.id}`, { token: buyer.access })).body.checked_in).toBe(true);
  });
});

describe('refunds', () => {
  it("voids the order's tickets, whose codes are then refused", async () => {
    const { order, tickets } = await boughtTickets(2);
    const refunded = await api('POST', `/api/v1/orders/${order.id}/refund`, { token: organizer.access });
    expect(refunded.status).toBe(200);
    const voided = await waitForTickets(cluster.api, buyer.access, order.id, (all) =>
      all.every((t) => t.status === 'void'),
    );
    expect(voided.map((t) => t.id).sort()).toEqual(tickets.map((t) => t.id).sort());

    const res = await scan('checkin', tickets[0].qr_code);
    expectProblem(res, 409);
    expect((await scan('validate', tickets[1].qr_code)).body).toMatchObject({ status: 'void', admitted: false });
  });
});

describe('offline verification', () => {
  interface PublicJwk {
    kid: string;
    kty: string;
    crv: string;
    x: string;
  }

  /**
   * What a scanner does without a network: a code is `TP1.<payload>.<signature>` (base64url);
   * the payload holds the ticket id and event id (uint32, big-endian), a 16-byte secret and the
   * signing key's id, and the signature is Ed25519 over the payload.
   */
  function verifyOffline(code: string, keys: PublicJwk[]) {
    const [prefix, payloadPart, signaturePart] = code.split('.');
    expect(prefix).toBe('TP1');
    const payload = Buffer.from(payloadPart, 'base64url');
    const kid = payload.subarray(24).toString('utf8');
    const jwk = keys.find((k) => k.kid === kid);
    if (!jwk) throw new Error(`no published key ${kid}`);
    const publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
    return {
      genuine: verify(null, payload, publicKey, Buffer.from(signaturePart, 'base64url')),
      ticketId: payload.readUInt32BE(0),
      eventId: payload.readUInt32BE(4),
    };
  }

  it('verifies a code with nothing but the published public keys', async () => {
    const ticket = await boughtTicket();
    const published = await api('GET', '/api/v1/validation/keys');
    expect(published.status).toBe(200);
    expect(published.body.keys.length).toBeGreaterThan(0);
    for (const key of published.body.keys) expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', use: 'sig' });

    expect(verifyOffline(ticket.qr_code, published.body.keys)).toEqual({
      genuine: true,
      ticketId: ticket.id,
      eventId: event.id,
    });
    expect(verifyOffline(forge(ticket.qr_code), published.body.keys).genuine).toBe(false);

    // Another ticket's id in the payload, with the original signature: not genuine.
    const [prefix, payloadPart, signaturePart] = ticket.qr_code.split('.');
    const payload = Buffer.from(payloadPart, 'base64url');
    payload.writeUInt32BE(ticket.id + 1, 0);
    const swapped = [prefix, payload.toString('base64url'), signaturePart].join('.');
    expect(verifyOffline(swapped, published.body.keys)).toMatchObject({ genuine: false, ticketId: ticket.id + 1 });
    expectProblem(await scan('validate', swapped), 404);
  });
});

describe('exactly once across a ticketing restart', () => {
  it('issues the tickets of an order paid while ticketing was down once it is back', async () => {
    const ticketType = await createTicketType();
    const order = await placeOrder(ticketType.id, 2);

    await Promise.all(cluster.processes.filter((p) => p.name === 'ticketing').map((p) => p.stop()));
    await pay(order.id);
    // Straight to the cluster: this 503 is expected, and the last test looks for unexpected ones.
    expectProblem(await cluster.api('GET', `/api/v1/tickets?order_id=${order.id}`, { token: buyer.access }), 503);
    await cluster.startService('ticketing');

    const tickets = await waitForTicketCount(cluster.api, buyer.access, order.id, 2);
    await sleep(SETTLE_MS);
    const settled = await api('GET', `/api/v1/tickets?order_id=${order.id}`, { token: admin.access });
    expect(settled.body.total).toBe(2);
    expect(settled.body.items.map((t: TicketView) => t.id).sort()).toEqual(tickets.map((t) => t.id).sort());
    expect(settled.body.items.every((t: TicketView) => t.status === 'valid')).toBe(true);
  });
});

describe('POST /tickets', () => {
  const reserve = (body: object, token = buyer.access) => api('POST', '/api/v1/tickets', { token, body });
  const orderOf = async (id: number) => (await api('GET', `/api/v1/orders/${id}`, { token: buyer.access })).body;
  const availableOf = async (id: number) => (await api('GET', `/api/v1/tickets/types/${id}`)).body.available_quantity;

  it("adds a unit to the buyer's pending order as a reserved ticket, and pays for it with the order", async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const order = await placeOrder(ticketType.id, 1);
    expect(await availableOf(ticketType.id)).toBe(9);

    const res = await reserve({ order_id: order.id, ticket_type_id: ticketType.id, seat_number: 'Row A 7' });

    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(TICKET_FIELDS);
    expect(res.body).toMatchObject({
      order_id: order.id,
      ticket_type_id: ticketType.id,
      event_id: event.id,
      seat_number: 'Row A 7',
      status: 'reserved',
      checked_in: false,
    });
    expect(await orderOf(order.id)).toMatchObject({
      total_price: 39.98,
      payment_status: 'pending',
      items: [{ ticket_type_id: ticketType.id, quantity: 2, unit_price: 19.99 }],
    });
    expect(await availableOf(ticketType.id)).toBe(8);
    expectProblem(await scan('checkin', res.body.qr_code), 409);

    await pay(order.id);
    const paid = (all: TicketView[]) => all.length === 2 && all.every((t) => t.status === 'valid');
    const tickets = await waitForTickets(cluster.api, buyer.access, order.id, paid);
    expect(tickets.find((t) => t.id === res.body.id)).toMatchObject({ status: 'valid', seat_number: 'Row A 7' });
    await sleep(SETTLE_MS);
    const settled = await api('GET', `/api/v1/tickets?order_id=${order.id}`, { token: admin.access });
    expect(settled.body.total).toBe(2);
    expect(new Set(settled.body.items.map((t: TicketView) => t.qr_code)).size).toBe(2);
    expect(await availableOf(ticketType.id)).toBe(8);
    expect((await scan('checkin', res.body.qr_code)).status).toBe(200);
  });

  it('keeps other users off the order (404) and refuses a sold-out ticket type (409), changing nothing', async () => {
    const ticketType = await createTicketType({ quantity: 2 });
    const order = await placeOrder(ticketType.id, 2);

    expectProblem(await reserve({ order_id: order.id, ticket_type_id: ticketType.id }, stranger.access), 404);
    expectProblem(await reserve({ order_id: order.id, ticket_type_id: ticketType.id }), 409);
    expectProblem(await reserve({ order_id: MISSING_ID, ticket_type_id: ticketType.id }), 404);

    expect(await orderOf(order.id)).toMatchObject({
      total_price: 39.98,
      items: [{ ticket_type_id: ticketType.id, quantity: 2 }],
    });
    expect(await availableOf(ticketType.id)).toBe(0);
    expect((await api('GET', `/api/v1/tickets?order_id=${order.id}`, { token: admin.access })).body.total).toBe(0);
  });

  it('refuses a paid order (409), bad input (422) and a missing token (401)', async () => {
    const { order, ticketType } = await boughtTickets(1);

    expectProblem(await reserve({ order_id: order.id, ticket_type_id: ticketType.id }), 409);
    expectProblem(await reserve({ order_id: order.id }), 422);
    expectProblem(await reserve({ order_id: order.id, ticket_type_id: ticketType.id, seat_number: '' }), 422);
    expectProblem(await reserve({ order_id: 'abc', ticket_type_id: ticketType.id }), 422);
    const anonymous = await api('POST', '/api/v1/tickets', {
      body: { order_id: order.id, ticket_type_id: ticketType.id },
    });
    expectProblem(anonymous, 401);
  });
});

describe('DELETE /tickets/{id}', () => {
  const reserve = (orderId: number, ticketTypeId: number) =>
    api('POST', '/api/v1/tickets', { token: buyer.access, body: { order_id: orderId, ticket_type_id: ticketTypeId } });
  const orderOf = async (id: number) => (await api('GET', `/api/v1/orders/${id}`, { token: buyer.access })).body;
  const availableOf = async (id: number) => (await api('GET', `/api/v1/tickets/types/${id}`)).body.available_quantity;

  it("cancels a reserved ticket: the order's total and the type's availability are back", async () => {
    const ticketType = await createTicketType({ quantity: 10 });
    const order = await placeOrder(ticketType.id, 1);
    const reserved = await reserve(order.id, ticketType.id);
    expect(reserved.status).toBe(201);
    expect(await availableOf(ticketType.id)).toBe(8);

    expectProblem(await api('DELETE', `/api/v1/tickets/${reserved.body.id}`, { token: stranger.access }), 404);
    const res = await api('DELETE', `/api/v1/tickets/${reserved.body.id}`, { token: buyer.access });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Ticket cancelled' });
    expect(await orderOf(order.id)).toMatchObject({
      total_price: 19.99,
      payment_status: 'pending',
      items: [{ ticket_type_id: ticketType.id, quantity: 1, unit_price: 19.99 }],
    });
    expect(await availableOf(ticketType.id)).toBe(9);
    const shown = await api('GET', `/api/v1/tickets/${reserved.body.id}`, { token: buyer.access });
    expect(shown.body.status).toBe('void');
    expectProblem(await api('DELETE', `/api/v1/tickets/${reserved.body.id}`, { token: buyer.access }), 409);
    expect(await availableOf(ticketType.id)).toBe(9);

    const again = await reserve(order.id, ticketType.id);
    expect(again.status).toBe(201);
    await pay(order.id);
    const paid = (all: TicketView[]) => all.filter((t) => t.status === 'valid').length === 2;
    const tickets = await waitForTickets(cluster.api, buyer.access, order.id, paid);
    expect(tickets.find((t) => t.id === reserved.body.id)).toMatchObject({ status: 'void' });
    expect(await orderOf(order.id)).toMatchObject({ total_price: 39.98, payment_status: 'completed' });
  });

  it('refuses a paid ticket (409: refund the order) and leaves it valid', async () => {
    const ticket = await boughtTicket();
    const refused = await api('DELETE', `/api/v1/tickets/${ticket.id}`, { token: buyer.access });
    expectProblem(refused, 409);
    expect(refused.body.detail).toMatch(/request a refund of the order/);
    expect((await api('GET', `/api/v1/tickets/${ticket.id}`, { token: buyer.access })).body.status).toBe('valid');
  });
});

describe('all of the above', () => {
  it('answered no request with a 500', () => {
    expect(answered.length).toBeGreaterThan(50);
    expect(answered.filter((a) => a.status >= 500)).toEqual([]);
  });
});
