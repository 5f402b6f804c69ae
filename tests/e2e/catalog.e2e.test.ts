import { randomBytes } from 'node:crypto';
import { startCluster, type Cluster } from '../support/cluster';
import { login, register, type Registered } from '../support/users';
import { type ApiResponse, type RequestOptions, expectProblem } from '@ticketpro/shared/testing';

jest.setTimeout(120_000);

const ADMIN = { email: 'admin@catalog.test', password: 'Admin-Passw0rd-Strong' };
const DAY_MS = 24 * 60 * 60 * 1000;
const MISSING_ID = 2_000_000_000;

const EVENT_FIELDS = [
  'capacity',
  'created_at',
  'date',
  'description',
  'event_name',
  'id',
  'image',
  'location',
  'organizer',
  'organizer_id',
  'ticket_types',
  'transfer_cutoff_hours',
  'updated_at',
];
const TICKET_TYPE_FIELDS = [
  'available_quantity',
  'created_at',
  'currency',
  'description',
  'event_id',
  'hidden',
  'id',
  'max_per_order',
  'name',
  'price',
  'quantity',
  'sales_end',
  'sales_start',
  'sold_quantity',
  'updated_at',
];

let cluster: Cluster;
let admin: { id: number; access: string };
/** An organizer who owns the events the authorization checks are made on. */
let owner: Registered;
/** Another organizer. */
let rival: Registered;
/** A plain user. */
let fan: Registered;

beforeAll(async () => {
  cluster = await startCluster('e2e_catalog', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  const { access } = await login(cluster.api, ADMIN.email, ADMIN.password);
  admin = { id: (await cluster.api('GET', '/api/v1/auth/me', { token: access })).body.id, access };
  owner = await register(cluster.api, { firstname: 'Rudo', surname: 'Chari', role: 'organizer' });
  rival = await register(cluster.api, { firstname: 'Tafadzwa', surname: 'Ncube', role: 'organizer' });
  fan = await register(cluster.api, { firstname: 'Farai', surname: 'Mlambo' });
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

/** A word no other test's data contains, so filters can be checked on a shared database. */
const uniqueTag = () => `tag${randomBytes(4).toString('hex')}`;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

function eventBody(overrides: Record<string, unknown> = {}) {
  return {
    event_name: `Harare Jazz Night ${uniqueTag()}`,
    description: 'Live jazz under the stars, all evening long',
    location: 'Harare Gardens',
    date: inDays(30),
    image: 'https://images.example.com/jazz.png',
    ...overrides,
  };
}

function ticketTypeBody(eventId: number, overrides: Record<string, unknown> = {}) {
  return {
    event_id: eventId,
    name: 'General admission',
    description: 'Standing room in front of the main stage',
    price: 19.99,
    quantity: 100,
    ...overrides,
  };
}

async function createEvent(token: string, overrides: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/v1/events', { token, body: eventBody(overrides) });
  if (res.status !== 201) throw new Error(`creating an event failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function createTicketType(token: string, eventId: number, overrides: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/v1/tickets/types', { token, body: ticketTypeBody(eventId, overrides) });
  if (res.status !== 201) throw new Error(`creating a ticket type failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const ids = (items: { id: number }[]) => items.map((item) => item.id);
const fieldsOf = (res: ApiResponse) => (res.body.errors ?? []).map((e: { field: string }) => e.field);

const expectInvalid = (res: ApiResponse, field: string) => {
  expectProblem(res, 422);
  expect(fieldsOf(res)).toContain(field);
};

/** Every item of a list, page by page. */
async function listAll(path: string): Promise<any[]> {
  const items: any[] = [];
  for (let skip = 0; ; skip += 100) {
    const page = await api('GET', `${path}${path.includes('?') ? '&' : '?'}skip=${skip}&limit=100`);
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    if (!page.body.has_next) return items;
  }
}

describe('POST /events', () => {
  it('creates an event organized by the caller, with its public name and no ticket types yet', async () => {
    const body = eventBody();
    const res = await api('POST', '/api/v1/events', { token: owner.access, body });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(EVENT_FIELDS);
    expect(res.body).toMatchObject({
      ...body,
      id: expect.any(Number),
      organizer_id: owner.id,
      organizer: { id: owner.id, firstname: 'Rudo', surname: 'Chari' },
      ticket_types: [],
    });
    expect(Object.keys(res.body.organizer).sort()).toEqual(['firstname', 'id', 'surname']);
    expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);

    const read = await api('GET', `/api/v1/events/${res.body.id}`);
    expect(read.body).toEqual(res.body);
  });

  it('lets an admin create an event, organized by the admin; the image is optional', async () => {
    const { image: _image, ...body } = eventBody();
    const res = await api('POST', '/api/v1/events', { token: admin.access, body });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ organizer_id: admin.id, image: null });
  });

  it('refuses plain users (403) and anonymous callers (401), creating nothing', async () => {
    const body = eventBody();
    expectProblem(await api('POST', '/api/v1/events', { token: fan.access, body }), 403);
    const anonymous = await api('POST', '/api/v1/events', { body });
    expectProblem(anonymous, 401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const search = await api('GET', `/api/v1/events?search=${encodeURIComponent(body.event_name)}`);
    expect(search.body.total).toBe(0);
  });

  it.each([
    ['a short name', { event_name: 'Jz' }, 'event_name'],
    ['a blank name', { event_name: '      ' }, 'event_name'],
    ['a name over 200 characters', { event_name: 'J'.repeat(201) }, 'event_name'],
    ['a short description', { description: 'Jazz!' }, 'description'],
    ['a short location', { location: 'Hr' }, 'location'],
    ['a past date', { date: new Date(Date.now() - DAY_MS).toISOString() }, 'date'],
    ['a date that is not a timestamp', { date: 'next friday' }, 'date'],
    ['an image that is not a URL', { image: 'jazz.png' }, 'image'],
    ['a server-owned id', { id: 1 }, 'id'],
    ['a server-owned organizer', { organizer_id: 1 }, 'organizer_id'],
    ['ticket types inline', { ticket_types: [] }, 'ticket_types'],
  ])('answers 422 for %s', async (_what, change, field) => {
    expectInvalid(await api('POST', '/api/v1/events', { token: owner.access, body: eventBody(change) }), field);
  });

  it('answers 422 for a missing field and 400 for malformed JSON', async () => {
    const { description: _description, ...body } = eventBody();
    expectInvalid(await api('POST', '/api/v1/events', { token: owner.access, body }), 'description');
    expectProblem(await api('POST', '/api/v1/events', { token: owner.access, raw: '{"event_name": ' }), 400);
  });

  it('answers 409 for the name of a live event, and takes the name again once that event is deleted', async () => {
    const first = await createEvent(owner.access);
    const again = await api('POST', '/api/v1/events', {
      token: rival.access,
      body: eventBody({ event_name: first.event_name }),
    });
    expectProblem(again, 409);

    expect((await api('DELETE', `/api/v1/events/${first.id}`, { token: owner.access })).status).toBe(200);
    const reused = await api('POST', '/api/v1/events', {
      token: rival.access,
      body: eventBody({ event_name: first.event_name }),
    });
    expect(reused.status).toBe(201);
    expect(reused.body.id).not.toBe(first.id);
  });

  it('creates one of three simultaneous events with one name', async () => {
    const body = eventBody();
    const results = await Promise.all(
      [owner, rival, owner].map((u) => api('POST', '/api/v1/events', { token: u.access, body })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });
});

describe('GET /events', () => {
  it('lists events publicly, soonest first, in pages of the contract shape', async () => {
    const tag = uniqueTag();
    const later = await createEvent(owner.access, { event_name: `Later ${tag}`, date: inDays(40) });
    const soonest = await createEvent(rival.access, { event_name: `Soonest ${tag}`, date: inDays(10) });
    const middle = await createEvent(owner.access, { event_name: `Middle ${tag}`, date: inDays(20) });

    const all = await api('GET', `/api/v1/events?search=${tag}`);
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      items: expect.any(Array),
      total: 3,
      skip: 0,
      limit: 20,
      has_next: false,
      has_prev: false,
    });
    expect(ids(all.body.items)).toEqual([soonest.id, middle.id, later.id]);

    const first = await api('GET', `/api/v1/events?search=${tag}&limit=2`);
    expect(first.body).toMatchObject({ total: 3, skip: 0, limit: 2, has_next: true, has_prev: false });
    expect(ids(first.body.items)).toEqual([soonest.id, middle.id]);
    const second = await api('GET', `/api/v1/events?search=${tag}&limit=2&skip=2`);
    expect(second.body).toMatchObject({ total: 3, skip: 2, limit: 2, has_next: false, has_prev: true });
    expect(ids(second.body.items)).toEqual([later.id]);
  });

  it('searches name, description and location, whatever the letter case', async () => {
    const tag = uniqueTag();
    const byName = await createEvent(owner.access, { event_name: `Mbira night ${tag}` });
    const byDescription = await createEvent(owner.access, {
      description: `Marimba and mbira all night long, ${tag.toUpperCase()} edition`,
    });
    const byLocation = await createEvent(rival.access, { location: `Old Hararians ${tag} grounds` });
    await createEvent(owner.access);

    const res = await api('GET', `/api/v1/events?search=${tag.toUpperCase().slice(0, -1)}`);
    expect(ids(res.body.items).sort()).toEqual([byName.id, byDescription.id, byLocation.id].sort());
  });

  it('treats LIKE wildcards in a search as text', async () => {
    const res = await api('GET', `/api/v1/events?search=${encodeURIComponent('%_')}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(0);
  });

  it('filters by location (partial), organizer and dates', async () => {
    const tag = uniqueTag();
    const hall = await createEvent(owner.access, { location: `Bulawayo ${tag} City Hall`, date: inDays(5) });
    const park = await createEvent(owner.access, { location: `Mutare ${tag} Park`, date: inDays(15) });
    const centre = await createEvent(rival.access, { location: `Bulawayo ${tag} Centre`, date: inDays(25) });

    const inBulawayo = await api('GET', `/api/v1/events?location=${encodeURIComponent(`Bulawayo ${tag}`)}`);
    expect(ids(inBulawayo.body.items)).toEqual([hall.id, centre.id]);

    const byRival = await api('GET', `/api/v1/events?search=${tag}&organizer_id=${rival.id}`);
    expect(ids(byRival.body.items)).toEqual([centre.id]);

    const between = await api('GET', `/api/v1/events?search=${tag}&from_date=${inDays(10)}&to_date=${inDays(20)}`);
    expect(ids(between.body.items)).toEqual([park.id]);

    const fromDay = inDays(10).slice(0, 10);
    const fromCalendarDate = await api('GET', `/api/v1/events?search=${tag}&from_date=${fromDay}`);
    expect(ids(fromCalendarDate.body.items)).toEqual([park.id, centre.id]);
  });

  it("embeds each event's organizer by public name and its ticket types, never contact details", async () => {
    const tag = uniqueTag();
    const event = await createEvent(owner.access, { event_name: `Embedded ${tag}` });
    const vip = await createTicketType(owner.access, event.id, { name: 'VIP lounge', price: 45 });
    const general = await createTicketType(owner.access, event.id, { price: 19.99 });

    for (const res of [
      await api('GET', `/api/v1/events?search=${tag}`),
      await api('GET', `/api/v1/events/${event.id}`),
    ]) {
      const shown = res.body.items ? res.body.items[0] : res.body;
      expect(shown.organizer).toEqual({ id: owner.id, firstname: 'Rudo', surname: 'Chari' });
      expect(ids(shown.ticket_types).sort()).toEqual([vip.id, general.id].sort());
      expect(shown.ticket_types.find((t: { id: number }) => t.id === general.id)).toEqual(general);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(owner.email);
      expect(text).not.toMatch(/email|phone/);
    }
  });

  it.each([
    'organizer_id=abc',
    'organizer_id=0',
    'organizer_id=99999999999',
    'limit=101',
    'limit=0',
    'skip=-1',
    'from_date=yesterday',
    'to_date=2027-13-45',
    'search=',
    'sort=date',
  ])('answers 422 for the query %s', async (query) => {
    expectProblem(await api('GET', `/api/v1/events?${query}`), 422);
  });

  it('answers a caller with a bad token as anonymous', async () => {
    expect((await api('GET', '/api/v1/events', { token: 'not.a.jwt' })).status).toBe(200);
    expect((await api('GET', '/api/v1/events', { token: fan.access })).status).toBe(200);
  });
});

describe('GET /events/{id}', () => {
  it('answers 404 for a missing event and 422 for a malformed id', async () => {
    expectProblem(await api('GET', `/api/v1/events/${MISSING_ID}`), 404);
    for (const id of ['abc', '0', '-1', '1.5', '99999999999'])
      expectProblem(await api('GET', `/api/v1/events/${id}`), 422);
  });
});

describe('PUT /events/{id}', () => {
  it('lets the organizer change any subset of the fields', async () => {
    const event = await createEvent(owner.access);
    const change = { location: 'Victoria Falls Rainforest', date: inDays(60), image: null };
    const res = await api('PUT', `/api/v1/events/${event.id}`, { token: owner.access, body: change });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...change, event_name: event.event_name, organizer_id: owner.id });
    expect(Date.parse(res.body.updated_at)).toBeGreaterThan(Date.parse(event.updated_at));
    expect((await api('GET', `/api/v1/events/${event.id}`)).body).toEqual(res.body);
  });

  it("lets an admin change another organizer's event, which stays theirs", async () => {
    const event = await createEvent(owner.access);
    const name = `Renamed by admin ${uniqueTag()}`;
    const res = await api('PUT', `/api/v1/events/${event.id}`, { token: admin.access, body: { event_name: name } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ event_name: name, organizer_id: owner.id });
  });

  it('refuses another organizer and a plain user (403) and anonymous callers (401), changing nothing', async () => {
    const event = await createEvent(owner.access);
    const body = { location: 'Somewhere else entirely' };
    expectProblem(await api('PUT', `/api/v1/events/${event.id}`, { token: rival.access, body }), 403);
    expectProblem(await api('PUT', `/api/v1/events/${event.id}`, { token: fan.access, body }), 403);
    expectProblem(await api('PUT', `/api/v1/events/${event.id}`, { body }), 401);
    expect((await api('GET', `/api/v1/events/${event.id}`)).body.location).toBe(event.location);
  });

  it.each([
    ['nothing to change', {}, '(body)'],
    ['a short name', { event_name: 'Jz' }, 'event_name'],
    ['a past date', { date: new Date(Date.now() - DAY_MS).toISOString() }, 'date'],
    ['a server-owned id', { id: 1 }, 'id'],
    ['a server-owned organizer', { organizer_id: 1 }, 'organizer_id'],
  ])('answers 422 for %s', async (_what, body, field) => {
    const event = await createEvent(owner.access);
    expectInvalid(await api('PUT', `/api/v1/events/${event.id}`, { token: owner.access, body }), field);
  });

  it("answers 409 for another live event's name, 404 for a missing event and 422 for a malformed id", async () => {
    const [first, second] = [await createEvent(owner.access), await createEvent(owner.access)];
    const body = { event_name: first.event_name };
    expectProblem(await api('PUT', `/api/v1/events/${second.id}`, { token: owner.access, body }), 409);
    expectProblem(
      await api('PUT', `/api/v1/events/${MISSING_ID}`, { token: admin.access, body: { location: 'Gweru' } }),
      404,
    );
    expectProblem(await api('PUT', '/api/v1/events/abc', { token: admin.access, body: { location: 'Gweru' } }), 422);
  });
});

describe('DELETE /events/{id}', () => {
  it('refuses another organizer and a plain user (403) and anonymous callers (401)', async () => {
    const event = await createEvent(owner.access);
    expectProblem(await api('DELETE', `/api/v1/events/${event.id}`, { token: rival.access }), 403);
    expectProblem(await api('DELETE', `/api/v1/events/${event.id}`, { token: fan.access }), 403);
    expectProblem(await api('DELETE', `/api/v1/events/${event.id}`), 401);
    expect((await api('GET', `/api/v1/events/${event.id}`)).status).toBe(200);
  });

  it('lets the organizer delete an event, which then vanishes from every read', async () => {
    const event = await createEvent(owner.access);
    const res = await api('DELETE', `/api/v1/events/${event.id}`, { token: owner.access });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: expect.any(String) });

    expectProblem(await api('GET', `/api/v1/events/${event.id}`), 404);
    expect((await api('GET', `/api/v1/events?search=${encodeURIComponent(event.event_name)}`)).body.total).toBe(0);
    expectProblem(
      await api('PUT', `/api/v1/events/${event.id}`, { token: owner.access, body: { location: 'Kariba' } }),
      404,
    );
    expectProblem(await api('DELETE', `/api/v1/events/${event.id}`, { token: owner.access }), 404);
    expectProblem(
      await api('POST', '/api/v1/tickets/types', { token: owner.access, body: ticketTypeBody(event.id) }),
      404,
    );
  });

  it("lets an admin delete another organizer's event", async () => {
    const event = await createEvent(rival.access);
    expect((await api('DELETE', `/api/v1/events/${event.id}`, { token: admin.access })).status).toBe(200);
    expectProblem(await api('GET', `/api/v1/events/${event.id}`), 404);
  });

  it('answers 404 for a missing event and 422 for a malformed id', async () => {
    expectProblem(await api('DELETE', `/api/v1/events/${MISSING_ID}`, { token: admin.access }), 404);
    expectProblem(await api('DELETE', '/api/v1/events/abc', { token: admin.access }), 422);
  });
});

describe('POST /tickets/types', () => {
  let event: { id: number };
  beforeAll(async () => {
    event = await createEvent(owner.access);
  });

  it("adds a ticket type to the organizer's event: USD by default, all of it available", async () => {
    const body = ticketTypeBody(event.id);
    const res = await api('POST', '/api/v1/tickets/types', { token: owner.access, body });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(TICKET_TYPE_FIELDS);
    expect(res.body).toMatchObject({
      ...body,
      id: expect.any(Number),
      currency: 'USD',
      available_quantity: 100,
      sold_quantity: 0,
      sales_start: null,
      sales_end: null,
      max_per_order: null,
    });
    expect((await api('GET', `/api/v1/tickets/types/${res.body.id}`)).body).toEqual(res.body);
  });

  it('takes ZWG, a sales window and a limit per order', async () => {
    const options = { currency: 'ZWG', sales_start: inDays(1), sales_end: inDays(20), max_per_order: 6, price: 250 };
    const created = await createTicketType(owner.access, event.id, options);
    expect(created).toMatchObject(options);
  });

  it.each([19.99, 0.07, 0.1, 0.3, 1234.56, 99999.99, 0, 100000])(
    'keeps the price %p exact, in and out',
    async (price) => {
      const created = await createTicketType(owner.access, event.id, { price });
      expect(created.price).toBe(price);
      expect((await api('GET', `/api/v1/tickets/types/${created.id}`)).body.price).toBe(price);
      const embedded = (await api('GET', `/api/v1/events/${event.id}`)).body.ticket_types;
      expect(embedded.find((t: { id: number }) => t.id === created.id).price).toBe(price);
    },
  );

  it("lets an admin add a ticket type to an organizer's event", async () => {
    expect((await createTicketType(admin.access, event.id)).event_id).toBe(event.id);
  });

  it('refuses another organizer and a plain user (403) and anonymous callers (401)', async () => {
    const body = ticketTypeBody(event.id, { name: `Refused ${uniqueTag()}` });
    expectProblem(await api('POST', '/api/v1/tickets/types', { token: rival.access, body }), 403);
    expectProblem(await api('POST', '/api/v1/tickets/types', { token: fan.access, body }), 403);
    expectProblem(await api('POST', '/api/v1/tickets/types', { body }), 401);
    const listed = await listAll(`/api/v1/tickets/types?event_id=${event.id}`);
    expect(listed.map((t) => t.name)).not.toContain(body.name);
  });

  it('answers 404 for a missing event', async () => {
    expectProblem(
      await api('POST', '/api/v1/tickets/types', { token: admin.access, body: ticketTypeBody(MISSING_ID) }),
      404,
    );
  });

  it.each([
    ['a negative price', { price: -1 }, 'price'],
    ['a price with three decimals', { price: 19.999 }, 'price'],
    ['a price over 100000', { price: 100000.01 }, 'price'],
    ['a price as text', { price: '19.99' }, 'price'],
    ['zero quantity', { quantity: 0 }, 'quantity'],
    ['a quantity over 100000', { quantity: 100001 }, 'quantity'],
    ['a short name', { name: 'GA' }, 'name'],
    ['a short description', { description: 'Standing' }, 'description'],
    ['a currency that is not ISO 4217', { currency: 'usd' }, 'currency'],
    ['a server-owned id', { id: 1 }, 'id'],
    ['a server-owned sold quantity', { sold_quantity: 0 }, 'sold_quantity'],
    ['a server-owned available quantity', { available_quantity: 100 }, 'available_quantity'],
    ['a non-numeric event', { event_id: 'abc' }, 'event_id'],
  ])('answers 422 for %s', async (_what, change, field) => {
    const res = await api('POST', '/api/v1/tickets/types', {
      token: owner.access,
      body: ticketTypeBody(event.id, change),
    });
    expectInvalid(res, field);
  });
});

describe('GET /tickets/types', () => {
  it('lists ticket types publicly, by event and then by price, in pages of the contract shape', async () => {
    const first = await createEvent(owner.access);
    const second = await createEvent(rival.access);
    const made = [
      await createTicketType(rival.access, second.id, { price: 50 }),
      await createTicketType(owner.access, first.id, { price: 30 }),
      await createTicketType(rival.access, second.id, { price: 10 }),
      await createTicketType(owner.access, first.id, { price: 5 }),
    ];
    const mine = new Set(ids(made));

    const everything = (await listAll('/api/v1/tickets/types')).filter((t) => mine.has(t.id));
    expect(everything.map((t) => [t.event_id, t.price])).toEqual([
      [first.id, 5],
      [first.id, 30],
      [second.id, 10],
      [second.id, 50],
    ]);

    const page = await api('GET', `/api/v1/tickets/types?event_id=${second.id}&limit=1`);
    expect(page.status).toBe(200);
    expect(page.body).toEqual({
      items: [expect.any(Object)],
      total: 2,
      skip: 0,
      limit: 1,
      has_next: true,
      has_prev: false,
    });
    expect(page.body.items[0]).toMatchObject({ event_id: second.id, price: 10 });
  });

  it('answers 422 for a non-numeric event, limit over 100 and unknown filters', async () => {
    for (const query of ['event_id=abc', 'event_id=0', 'limit=101', 'skip=-1', 'currency=USD']) {
      expectProblem(await api('GET', `/api/v1/tickets/types?${query}`), 422);
    }
  });
});

describe('GET /tickets/types/{id}', () => {
  it('answers 404 for a missing ticket type and 422 for a malformed id', async () => {
    expectProblem(await api('GET', `/api/v1/tickets/types/${MISSING_ID}`), 404);
    for (const id of ['abc', '0', '1.5']) expectProblem(await api('GET', `/api/v1/tickets/types/${id}`), 422);
  });
});

describe('PUT /tickets/types/{id}', () => {
  let event: { id: number };
  beforeAll(async () => {
    event = await createEvent(owner.access);
  });

  it('lets the organizer change price, quantity and currency', async () => {
    const created = await createTicketType(owner.access, event.id);
    const change = { price: 25.5, quantity: 150, currency: 'ZWG' };
    const res = await api('PUT', `/api/v1/tickets/types/${created.id}`, { token: owner.access, body: change });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...change, available_quantity: 150, sold_quantity: 0, name: created.name });
    expect((await api('GET', `/api/v1/tickets/types/${created.id}`)).body).toEqual(res.body);
  });

  it("lets an admin change an organizer's ticket type", async () => {
    const created = await createTicketType(owner.access, event.id);
    const res = await api('PUT', `/api/v1/tickets/types/${created.id}`, {
      token: admin.access,
      body: { name: 'Early bird' },
    });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Early bird');
  });

  it('refuses another organizer and a plain user (403) and anonymous callers (401), changing nothing', async () => {
    const created = await createTicketType(owner.access, event.id);
    const body = { price: 0 };
    expectProblem(await api('PUT', `/api/v1/tickets/types/${created.id}`, { token: rival.access, body }), 403);
    expectProblem(await api('PUT', `/api/v1/tickets/types/${created.id}`, { token: fan.access, body }), 403);
    expectProblem(await api('PUT', `/api/v1/tickets/types/${created.id}`, { body }), 401);
    expect((await api('GET', `/api/v1/tickets/types/${created.id}`)).body.price).toBe(created.price);
  });

  it.each([
    ['nothing to change', {}, '(body)'],
    ['another event', { event_id: 1 }, 'event_id'],
    ['a server-owned sold quantity', { sold_quantity: 5 }, 'sold_quantity'],
    ['a server-owned available quantity', { available_quantity: 5 }, 'available_quantity'],
    ['zero quantity', { quantity: 0 }, 'quantity'],
    ['a negative price', { price: -0.01 }, 'price'],
  ])('answers 422 for %s', async (_what, body, field) => {
    const created = await createTicketType(owner.access, event.id);
    expectInvalid(await api('PUT', `/api/v1/tickets/types/${created.id}`, { token: owner.access, body }), field);
  });

  it('answers 404 for a missing ticket type and 422 for a malformed id', async () => {
    expectProblem(
      await api('PUT', `/api/v1/tickets/types/${MISSING_ID}`, { token: admin.access, body: { quantity: 5 } }),
      404,
    );
    expectProblem(await api('PUT', '/api/v1/tickets/types/abc', { token: admin.access, body: { quantity: 5 } }), 422);
  });
});

describe('DELETE /tickets/types/{id}', () => {
  let event: { id: number };
  beforeAll(async () => {
    event = await createEvent(owner.access);
  });

  it('refuses another organizer and a plain user (403) and anonymous callers (401)', async () => {
    const created = await createTicketType(owner.access, event.id);
    expectProblem(await api('DELETE', `/api/v1/tickets/types/${created.id}`, { token: rival.access }), 403);
    expectProblem(await api('DELETE', `/api/v1/tickets/types/${created.id}`, { token: fan.access }), 403);
    expectProblem(await api('DELETE', `/api/v1/tickets/types/${created.id}`), 401);
    expect((await api('GET', `/api/v1/tickets/types/${created.id}`)).status).toBe(200);
  });

  it('lets the organizer delete a ticket type, which then vanishes from every read', async () => {
    const created = await createTicketType(owner.access, event.id);
    const res = await api('DELETE', `/api/v1/tickets/types/${created.id}`, { token: owner.access });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: expect.any(String) });

    expectProblem(await api('GET', `/api/v1/tickets/types/${created.id}`), 404);
    expect(ids(await listAll(`/api/v1/tickets/types?event_id=${event.id}`))).not.toContain(created.id);
    expect(ids((await api('GET', `/api/v1/events/${event.id}`)).body.ticket_types)).not.toContain(created.id);
    expectProblem(await api('DELETE', `/api/v1/tickets/types/${created.id}`, { token: owner.access }), 404);
  });

  it("lets an admin delete an organizer's ticket type", async () => {
    const created = await createTicketType(owner.access, event.id);
    expect((await api('DELETE', `/api/v1/tickets/types/${created.id}`, { token: admin.access })).status).toBe(200);
    expectProblem(await api('GET', `/api/v1/tickets/types/${created.id}`), 404);
  });

  it('answers 404 for a missing ticket type and 422 for a malformed id', async () => {
    expectProblem(await api('DELETE', `/api/v1/tickets/types/${MISSING_ID}`, { token: admin.access }), 404);
    expectProblem(await api('DELETE', '/api/v1/tickets/types/abc', { token: admin.access }), 422);
  });
});

describe("organizers' names", () => {
  it("shows an organizer's new name once identity has it", async () => {
    const organizer = await register(cluster.api, { firstname: 'Chipo', surname: 'Dube', role: 'organizer' });
    const event = await createEvent(organizer.access);
    const renamed = await api('PUT', `/api/v1/users/${organizer.id}`, {
      token: organizer.access,
      body: { surname: 'Moyo' },
    });
    expect(renamed.status).toBe(200);

    // Catalog learns of the change from identity's events, a moment after identity answers.
    let shown = event.organizer;
    for (let i = 0; i < 100 && shown.surname !== 'Moyo'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      shown = (await api('GET', `/api/v1/events/${event.id}`)).body.organizer;
    }
    expect(shown).toEqual({ id: organizer.id, firstname: 'Chipo', surname: 'Moyo' });
  });

  it('keeps the name of an organizer whose account was deleted on their events', async () => {
    const organizer = await register(cluster.api, { firstname: 'Nyasha', surname: 'Gumbo', role: 'organizer' });
    const event = await createEvent(organizer.access);
    expect((await api('DELETE', `/api/v1/users/${organizer.id}`, { token: organizer.access })).status).toBe(204);

    const read = await api('GET', `/api/v1/events/${event.id}`);
    expect(read.status).toBe(200);
    expect(read.body.organizer).toEqual({ id: organizer.id, firstname: 'Nyasha', surname: 'Gumbo' });
  });
});

describe('all of the above', () => {
  it('answered no request with a 500', () => {
    expect(answered.length).toBeGreaterThan(100);
    expect(answered.filter((a) => a.status >= 500)).toEqual([]);
  });
});
