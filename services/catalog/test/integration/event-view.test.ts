import type { Knex } from 'knex';
import { createTestDatabase, defaultPage, type TestDatabase } from '@ticketpro/shared/testing';
import { call } from '@ticketpro/shared';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import {
  createEvent,
  createTicketType,
  createWindowedTicketType,
  hold,
  holdParams,
  organizer,
} from '../support/catalog-fixtures';

// `catalog.events.get` has Postgres build the view, timestamps formatted in SQL; the listing
// builds the same view in JS from models. The two must answer alike, whatever the session's time
// zone (+13:45 here) and however many microseconds a stored timestamp carries.
const SESSION_TIME_ZONE = 'Pacific/Chatham';

let database: TestDatabase;
let node: CatalogNode;
let db: Knex;

beforeAll(async () => {
  database = await createTestDatabase('catalog_event_view');
  const url = new URL(database.url);
  url.searchParams.set('options', `-c TimeZone=${SESSION_TIME_ZONE}`);
  node = await startCatalogNode('catalog_event_view', { DATABASE_URL: url.toString() });
  node.identity.add({ id: organizer.id, firstname: 'Oliver', surname: 'Mtukudzi' });
  db = node.db;
});

afterAll(async () => {
  await node?.stop();
  await database?.drop();
});

const read = (id: number) => call(node.broker, 'catalog.events.get', { id });

async function listed(eventName: string) {
  const { items } = await call(node.broker, 'catalog.events.list', defaultPage({ search: eventName }));
  return items.map(({ ticket_types_total: _total, ...event }) => event);
}

describe('catalog.events.get, the view Postgres builds', () => {
  it('runs in a session whose time zone is not UTC', async () => {
    const { rows } = await db.raw<{ rows: { TimeZone: string }[] }>('SHOW TimeZone');
    expect(rows[0].TimeZone).toBe(SESSION_TIME_ZONE);
  });

  it('shows timestamps as the API does: UTC, milliseconds cut from microseconds, null kept', async () => {
    const event = await createEvent(node.broker, organizer, {
      image: 'https://images.example/jazz.png',
      capacity: 400,
      transfer_cutoff_hours: 6,
    });
    const windowed = await createWindowedTicketType(node.broker, event.id);
    const open = await createTicketType(node.broker, event.id, { name: 'Free entry', price: 0 });
    await createTicketType(node.broker, event.id, { name: 'VIP lounge', price: 150 });
    await createTicketType(node.broker, event.id, { name: 'Crew', price: 1, hidden: true });
    await hold(node.broker, holdParams(event.id, [{ ticket_type_id: windowed.id, quantity: 3 }]));
    await db('events')
      .where('id', event.id)
      .update({
        date: db.raw(`'2031-07-04 23:59:59.999999+00'`),
        created_at: db.raw(`'2026-01-01 00:00:00.0005+00'`),
        updated_at: db.raw(`'2026-03-29 01:30:00.123456+02'`),
      });
    await db('ticket_types')
      .where('id', windowed.id)
      .update({
        sales_start: db.raw(`'2026-12-31 23:59:59.9999+13:45'`),
        sales_end: db.raw(`'2031-07-04 12:00:00.01+00'`),
      });

    const shown = await read(event.id);

    expect(shown).toMatchObject({
      date: '2031-07-04T23:59:59.999Z',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-03-28T23:30:00.123Z',
      image: 'https://images.example/jazz.png',
      capacity: 400,
      transfer_cutoff_hours: 6,
      organizer: { id: organizer.id, firstname: 'Oliver', surname: 'Mtukudzi' },
    });
    expect(shown.ticket_types.map((t) => [t.name, t.price, t.available_quantity])).toEqual([
      ['Free entry', 0, 100],
      ['Early bird', 12.35, 47],
      ['VIP lounge', 150, 100],
    ]);
    expect(shown.ticket_types[1]).toMatchObject({
      sales_start: '2026-12-31T10:14:59.999Z',
      sales_end: '2031-07-04T12:00:00.010Z',
      max_per_order: 4,
    });
    expect(shown.ticket_types[0]).toMatchObject({
      id: open.id,
      sales_start: null,
      sales_end: null,
      max_per_order: null,
    });
    expect(await listed(event.event_name)).toEqual([shown]);
  });

  it('answers an event without ticket types or optional fields as the listing does, key for key', async () => {
    const event = await createEvent(node.broker);

    const shown = await read(event.id);

    expect(shown).toMatchObject({ image: null, capacity: null, transfer_cutoff_hours: null, ticket_types: [] });
    const [inList] = await listed(event.event_name);
    expect(JSON.stringify(shown)).toBe(JSON.stringify(inList));
  });
});
