import { eventually, expectProblem, type Api } from '@ticketpro/shared/testing';
import { startCluster, type Cluster } from '../support/cluster';
import { createEvent, createTicketType } from '../support/sales';
import { register, type Registered } from '../support/users';

jest.setTimeout(180_000);

/** The longest allowed: in these tests only a dropped entry, never its age, makes a gateway ask catalog again. */
const LONG_TTL_MS = 60_000;
const SHORT_TTL_MS = 1000;

let cluster: Cluster;
/** The cluster's own gateway, and a second and third instance beside it (the third with a short TTL). */
let first: Api;
let second: Api;
let shortLived: Api;
let organizer: Registered;
let buyer: Registered;

beforeAll(async () => {
  cluster = await startCluster('e2e_event_reads', {
    EVENT_READ_CACHE_MS: String(LONG_TTL_MS),
    METRICS_ON_API_PORT: 'true',
  });
  first = cluster.api;
  [second, shortLived] = (
    await Promise.all([cluster.startGateway(), cluster.startGateway({ EVENT_READ_CACHE_MS: String(SHORT_TTL_MS) })])
  ).map((gateway) => gateway.api);
  organizer = await register(first, { role: 'organizer' });
  buyer = await register(first);
});
afterAll(() => cluster?.stop());

/**
 * A fresh event with one listed ticket type of 10 units, once every gateway has had catalog's
 * `ticket_type.created` of it: until then a gateway may yet drop the entry a test's first read made.
 */
async function saleOf() {
  const gateways = [first, second, shortLived];
  const droppedBefore = await Promise.all(gateways.map((api) => catalogEventDrops(api)));
  const event = await createEvent(first, organizer.access);
  const ticketType = await createTicketType(first, organizer.access, event.id, { quantity: 10 });
  await Promise.all(
    gateways.map((api, i) => eventually(async () => (await catalogEventDrops(api)) > droppedBefore[i])),
  );
  return { eventId: event.id, ticketTypeId: ticketType.id };
}

const read = (api: Api, eventId: number, options = {}) => api('GET', `/api/v1/events/${eventId}`, options);
const availableOn = async (api: Api, eventId: number) =>
  ((await read(api, eventId)).body.ticket_types as { available_quantity: number }[]).map((t) => t.available_quantity);

/** A counter of a gateway's metrics (the sum over the series whose labels include `labels`). */
async function metric(name: string, labels: string, api = first): Promise<number> {
  const text = (await api('GET', '/metrics')).body as string;
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}
const catalogReads = () => metric('gateway_service_call_duration_seconds_count', 'action="catalog.events.get"');
const catalogEventDrops = (api: Api) => metric('gateway_event_read_cache_drops_total', 'cause="event"', api);

async function order(api: Api, eventId: number, ticketTypeId: number, quantity: number) {
  const res = await api('POST', '/api/v1/orders', {
    token: buyer.access,
    body: { event_id: eventId, payment_method: 'ecocash', items: [{ ticket_type_id: ticketTypeId, quantity }] },
  });
  expect(res.status).toBe(201);
  return res.body as { id: number };
}

it('answers repeated reads from memory: catalog is asked once, and every caller gets the same bytes', async () => {
  const { eventId } = await saleOf();
  const callsBefore = await catalogReads();
  const anonymous = await read(first, eventId);
  const asOrganizer = await read(first, eventId, { token: organizer.access });
  const asBuyer = await read(first, eventId, { token: buyer.access });
  expect(await catalogReads()).toBe(callsBefore + 1);
  expect(asOrganizer.body).toEqual(anonymous.body);
  expect(asBuyer.headers.get('etag')).toBe(anonymous.headers.get('etag'));
  expect(await metric('gateway_event_reads_total', 'source="cache"')).toBeGreaterThanOrEqual(2);

  const again = await read(first, eventId, { headers: { 'if-none-match': anonymous.headers.get('etag')! } });
  expect(again.status).toBe(304);
  expect(await catalogReads()).toBe(callsBefore + 1);
});

it('shows this gateway’s own writes at once: an order, its cancellation, a ticket type change', async () => {
  const { eventId, ticketTypeId } = await saleOf();
  expect(await availableOn(first, eventId)).toEqual([10]);

  const placed = await order(first, eventId, ticketTypeId, 3);
  expect(await availableOn(first, eventId)).toEqual([7]);

  expect((await first('DELETE', `/api/v1/orders/${placed.id}`, { token: buyer.access })).status).toBe(200);
  expect(await availableOn(first, eventId)).toEqual([10]);

  const changed = await first('PUT', `/api/v1/tickets/types/${ticketTypeId}`, {
    token: organizer.access,
    body: { quantity: 12 },
  });
  expect(changed.status).toBe(200);
  expect(await availableOn(first, eventId)).toEqual([12]);

  // A refused order (more than is left) changes nothing, and the answer stays right.
  const refused = await first('POST', '/api/v1/orders', {
    token: buyer.access,
    body: { event_id: eventId, payment_method: 'ecocash', items: [{ ticket_type_id: ticketTypeId, quantity: 13 }] },
  });
  expectProblem(refused, 409);
  expect(await availableOn(first, eventId)).toEqual([12]);
});

it('drops another gateway’s entry on catalog’s events: a changed event, a hidden ticket type, a deleted event', async () => {
  const { eventId, ticketTypeId } = await saleOf();
  expect((await read(second, eventId)).body.location).toBe('Harare Gardens');

  const put = await first('PUT', `/api/v1/events/${eventId}`, {
    token: organizer.access,
    body: { location: 'Bulawayo City Hall' },
  });
  expect(put.status).toBe(200);
  // Well within the second gateway's TTL: only catalog.event.updated can have dropped its entry.
  await eventually(async () => (await read(second, eventId)).body.location === 'Bulawayo City Hall');

  const hidden = await first('PUT', `/api/v1/tickets/types/${ticketTypeId}`, {
    token: organizer.access,
    body: { hidden: true },
  });
  expect(hidden.status).toBe(200);
  expect((await read(first, eventId)).body.ticket_types).toEqual([]);
  await eventually(async () => (await read(second, eventId)).body.ticket_types.length === 0);

  expect((await first('DELETE', `/api/v1/events/${eventId}`, { token: organizer.access })).status).toBe(200);
  expectProblem(await read(first, eventId), 404);
  await eventually(async () => (await read(second, eventId)).status === 404);
});

it('shows an order placed through another gateway within EVENT_READ_CACHE_MS: a hold has no catalog event', async () => {
  const { eventId, ticketTypeId } = await saleOf();
  expect(await availableOn(second, eventId)).toEqual([10]);
  expect(await availableOn(shortLived, eventId)).toEqual([10]);

  await order(first, eventId, ticketTypeId, 2);
  const placedAt = Date.now();
  await eventually(async () => (await availableOn(shortLived, eventId))[0] === 8);
  // The poll's own answers and the machine's load come on top of the TTL.
  expect(Date.now() - placedAt).toBeLessThan(SHORT_TTL_MS + 5000);
  // The documented lag: the instance with the long TTL still shows the read it kept.
  expect(await availableOn(second, eventId)).toEqual([10]);
  expect(await availableOn(first, eventId)).toEqual([8]);
});
