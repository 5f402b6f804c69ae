import type { Knex } from 'knex';
import { defaultPage, malformed, uniqueName } from '@ticketpro/shared/testing';
import {
  call as callAction,
  EventSchema,
  type ActionName,
  type AuthUser,
  type Event,
  type ParamsOf,
} from '@ticketpro/shared';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import {
  admin,
  as,
  createEvent,
  createTicketType,
  createWindowedTicketType,
  hold,
  holdParams,
  inDays,
  newEventBody,
  organizer,
  otherOrganizer,
  plainUser,
} from '../support/catalog-fixtures';

let node: CatalogNode;
let db: Knex;

beforeAll(async () => {
  node = await startCatalogNode('catalog_events');
  node.identity.add(
    { id: organizer.id, firstname: 'Oliver', surname: 'Mtukudzi' },
    { id: otherOrganizer.id, firstname: 'Thomas', surname: 'Mapfumo' },
    { id: admin.id, firstname: 'Admin', surname: 'Administrator' },
  );
  db = node.db;
});

afterEach(() => {
  node.ordering.cancelled = 0;
  node.ordering.failure = undefined;
});

afterAll(() => node?.stop());

const call = <A extends ActionName>(action: A, params: ParamsOf<A>, caller?: AuthUser) =>
  callAction(node.broker, action, params, as(caller));
const unauthorized = { code: 401, type: 'unauthorized' };
const forbidden = { code: 403, type: 'forbidden' };
const notFound = { code: 404, type: 'not-found', message: 'Event not found' };

describe('catalog.events.create', () => {
  it('publishes an event for an organizer: the caller is its organizer, named but never contacted', async () => {
    const body = newEventBody({ image: 'https://images.example.com/jazz.png' });

    const event = await call('catalog.events.create', body, organizer);

    expect(Object.keys(event).sort()).toEqual(Object.keys(EventSchema.properties).sort());
    expect(event).toMatchObject({
      id: expect.any(Number),
      event_name: body.event_name,
      description: body.description,
      location: body.location,
      date: body.date,
      image: body.image,
      organizer_id: organizer.id,
      organizer: { id: organizer.id, firstname: 'Oliver', surname: 'Mtukudzi' },
      ticket_types: [],
    });
    expect(Object.keys(event.organizer).sort()).toEqual(['firstname', 'id', 'surname']);
    expect(new Date(event.created_at).toISOString()).toBe(event.created_at);
  });

  it('lets an admin publish too, as the organizer of the event', async () => {
    const event = await createEvent(node.broker, admin);
    expect(event.organizer_id).toBe(admin.id);
    expect(event.image).toBeNull();
  });

  it('refuses plain users (403) and anonymous callers (401)', async () => {
    await expect(call('catalog.events.create', newEventBody(), plainUser)).rejects.toMatchObject(forbidden);
    await expect(call('catalog.events.create', newEventBody(), undefined)).rejects.toMatchObject(unauthorized);
  });

  it('refuses a date that has passed, naming the field', async () => {
    await expect(call('catalog.events.create', newEventBody({ date: inDays(-1) }), organizer)).rejects.toMatchObject({
      code: 422,
      data: { errors: [{ field: 'date', message: 'must be in the future' }] },
    });
  });

  it.each([
    ['a short name', { event_name: 'Ab' }],
    ['a blank name', { event_name: '     ' }],
    ['a short description', { description: 'Too short' }],
    ['a date without zone', { date: '2090-01-01T18:00:00' }],
    ['a relative image path', { image: '/jazz.png' }],
    ['an organizer chosen by the client', { organizer_id: otherOrganizer.id }],
    ['an id chosen by the client', { id: 7 }],
  ])('answers 422 for %s', async (_case, change) => {
    await expect(call('catalog.events.create', { ...newEventBody(), ...change }, organizer)).rejects.toMatchObject({
      code: 422,
    });
  });

  it('keeps names unique among live events, whatever their case', async () => {
    const first = await createEvent(node.broker);

    await expect(
      call('catalog.events.create', newEventBody({ event_name: first.event_name.toUpperCase() }), otherOrganizer),
    ).rejects.toMatchObject({ code: 409, type: 'conflict', message: 'An event with this name already exists' });
  });

  it('answers one of two racing creates with the same name, and the other with 409', async () => {
    const body = newEventBody();

    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => call('catalog.events.create', body, organizer)),
    );

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect(outcome.reason).toMatchObject({ code: 409 });
    }
  });

  it('frees the name of a deleted event', async () => {
    const first = await createEvent(node.broker);
    await call('catalog.events.delete', { id: first.id }, organizer);

    await expect(createEvent(node.broker, organizer, { event_name: first.event_name })).resolves.toMatchObject({
      event_name: first.event_name,
    });
  });
});

describe('catalog.events.get', () => {
  it('shows an event to anyone, with its live ticket types cheapest first', async () => {
    const event = await createEvent(node.broker);
    const vip = await createTicketType(node.broker, event.id, { name: 'VIP lounge', price: 150 });
    const general = await createTicketType(node.broker, event.id, { name: 'General admission', price: 19.99 });
    const retired = await createTicketType(node.broker, event.id, { name: 'Early bird', price: 9.99 });
    await call('catalog.ticketTypes.delete', { id: retired.id }, organizer);

    const shown = await call('catalog.events.get', { id: event.id }, undefined);

    expect(shown.ticket_types.map((t) => t.id)).toEqual([general.id, vip.id]);
    expect(shown.ticket_types[0]).toMatchObject({ price: 19.99, available_quantity: 100, sold_quantity: 0 });
  });

  it('reads an event exactly as the listing shows it: sales windows, limits, live holds, organizer', async () => {
    const event = await createEvent(node.broker);
    const windowed = await createWindowedTicketType(node.broker, event.id);
    await createTicketType(node.broker, event.id, { name: 'Free entry', price: 0 });
    await hold(node.broker, holdParams(event.id, [{ ticket_type_id: windowed.id, quantity: 3 }]));
    await hold(node.broker, holdParams(event.id, [{ ticket_type_id: windowed.id, quantity: 1 }], { expiresInMs: 50 }));
    await new Promise((resolve) => setTimeout(resolve, 100));

    const shown = await call('catalog.events.get', { id: event.id });
    const listed = await call('catalog.events.list', defaultPage({ search: event.event_name }));

    expect(listed.items).toEqual([{ ...shown, ticket_types_total: 2 }]);
    expect(shown.organizer).toEqual({ id: organizer.id, firstname: 'Oliver', surname: 'Mtukudzi' });
    expect(shown.ticket_types.map((t) => [t.name, t.available_quantity])).toEqual([
      ['Free entry', 100],
      ['Early bird', 47],
    ]);
  });

  it('answers 404 for a missing or deleted event, and 422 for an id that is not a positive integer', async () => {
    const event = await createEvent(node.broker);
    await call('catalog.events.delete', { id: event.id }, organizer);

    await expect(call('catalog.events.get', { id: event.id })).rejects.toMatchObject(notFound);
    await expect(call('catalog.events.get', { id: 2_000_000_000 })).rejects.toMatchObject(notFound);
    await expect(call('catalog.events.get', malformed({ id: 'abc' }))).rejects.toMatchObject({ code: 422 });
    await expect(call('catalog.events.get', { id: 0 })).rejects.toMatchObject({ code: 422 });
  });
});

describe('catalog.events.list', () => {
  const list = (query: Partial<ParamsOf<'catalog.events.list'>>) => call('catalog.events.list', defaultPage(query));

  it('searches name, description and location case-insensitively, soonest first', async () => {
    const token = uniqueName('zebra');
    const byName = await createEvent(node.broker, organizer, {
      event_name: `The ${token.toUpperCase()} show`,
      date: inDays(40),
    });
    const byDescription = await createEvent(node.broker, organizer, {
      description: `All about the ${token}`,
      date: inDays(20),
    });
    const byLocation = await createEvent(node.broker, organizer, { location: `${token} stadium`, date: inDays(30) });
    await createEvent(node.broker);

    const page = await list({ search: token });

    expect(page.items.map((e) => e.id)).toEqual([byDescription.id, byLocation.id, byName.id]);
    expect(page).toMatchObject({ total: 3, skip: 0, limit: 20, has_next: false, has_prev: false });
  });

  it('takes LIKE wildcards in a search literally', async () => {
    const token = uniqueName('pct');
    const literal = await createEvent(node.broker, organizer, { event_name: `${token} 100% live` });
    await createEvent(node.broker, organizer, { event_name: `${token} 1000 live` });

    const percent = await list({ search: `${token} 100%` });
    const underscore = await list({ search: `${token.slice(0, -1)}_` });

    expect(percent.items.map((e) => e.id)).toEqual([literal.id]);
    expect(underscore.total).toBe(0);
  });

  it('filters by partial location and by organizer', async () => {
    const town = uniqueName('Bulawayo');
    const mine = await createEvent(node.broker, organizer, { location: `City Hall, ${town}` });
    const theirs = await createEvent(node.broker, otherOrganizer, { location: `Amphitheatre, ${town}` });

    expect((await list({ location: town.toLowerCase() })).items.map((e) => e.id)).toEqual([mine.id, theirs.id]);
    expect((await list({ location: town, organizer_id: otherOrganizer.id })).items.map((e) => e.id)).toEqual([
      theirs.id,
    ]);
  });

  it('takes a bare date as the whole day (UTC), and a timestamp as the instant', async () => {
    const token = uniqueName('dated');
    const at = (date: string) => createEvent(node.broker, organizer, { location: `${token} hall`, date });
    const before = await at('2091-05-09T23:59:59.000Z');
    const morning = await at('2091-05-10T00:00:00.000Z');
    const night = await at('2091-05-10T23:59:59.999Z');
    const after = await at('2091-05-11T00:00:00.000Z');
    const ids = async (query: Partial<ParamsOf<'catalog.events.list'>>) =>
      (await list({ location: token, ...query })).items.map((e) => e.id);

    expect(await ids({ from_date: '2091-05-10', to_date: '2091-05-10' })).toEqual([morning.id, night.id]);
    expect(await ids({ from_date: '2091-05-10' })).toEqual([morning.id, night.id, after.id]);
    expect(await ids({ to_date: '2091-05-10' })).toEqual([before.id, morning.id, night.id]);
    expect(await ids({ from_date: '2091-05-10T12:00:00Z', to_date: '2091-05-11T00:00:00Z' })).toEqual([
      night.id,
      after.id,
    ]);
  });

  it('pages with skip and limit, and leaves deleted events out', async () => {
    const token = uniqueName('paged');
    const events: Event[] = [];
    for (let day = 1; day <= 5; day++)
      events.push(await createEvent(node.broker, organizer, { location: `${token} park`, date: inDays(50 + day) }));
    await call('catalog.events.delete', { id: events[4].id }, organizer);

    const second = await list({ location: token, skip: 2, limit: 2 });

    expect(second).toMatchObject({ total: 4, skip: 2, limit: 2, has_next: false, has_prev: true });
    expect(second.items.map((e) => e.id)).toEqual([events[2].id, events[3].id]);
    expect((await list({ location: token, limit: 2 })).has_next).toBe(true);
  });

  it.each([
    ['limit over 100', { limit: 101 }],
    ['a negative skip', { skip: -1 }],
    ['a non-numeric organizer', { organizer_id: 'abc' }],
    ['a date that is not one', { from_date: 'yesterday' }],
    ['an unknown filter', { colour: 'red' }],
  ])('answers 422 for %s', async (_case, query) => {
    await expect(list(malformed(query))).rejects.toMatchObject({ code: 422 });
  });
});

describe('catalog.events.update', () => {
  it.each([
    ['its organizer', organizer],
    ['an admin', admin],
  ])('lets %s change any subset of the fields', async (_who, caller) => {
    const event = await createEvent(node.broker);

    const changed = await call(
      'catalog.events.update',
      { id: event.id, location: 'Mutare Showgrounds', image: null },
      caller,
    );

    expect(changed).toMatchObject({
      id: event.id,
      location: 'Mutare Showgrounds',
      event_name: event.event_name,
      organizer_id: organizer.id,
    });
    expect(Date.parse(changed.updated_at)).toBeGreaterThan(Date.parse(event.updated_at));
  });

  it.each([
    ['another organizer', otherOrganizer, forbidden],
    ['a plain user', plainUser, forbidden],
    ['an anonymous caller', undefined, unauthorized],
  ])('refuses %s', async (_who, caller, problem) => {
    const event = await createEvent(node.broker);

    await expect(call('catalog.events.update', { id: event.id, location: 'Elsewhere' }, caller)).rejects.toMatchObject(
      problem,
    );
    await expect(call('catalog.events.get', { id: event.id })).resolves.toMatchObject({
      location: event.location,
    });
  });

  it('answers 404 for a missing or deleted event', async () => {
    const event = await createEvent(node.broker);
    await call('catalog.events.delete', { id: event.id }, organizer);

    await expect(
      call('catalog.events.update', { id: event.id, location: 'Elsewhere' }, organizer),
    ).rejects.toMatchObject(notFound);
    await expect(
      call('catalog.events.update', { id: 2_000_000_000, location: 'Elsewhere' }, admin),
    ).rejects.toMatchObject(notFound);
  });

  it('applies the rules of create: a future date, a free name, only known fields, at least one', async () => {
    const [event, other] = [await createEvent(node.broker), await createEvent(node.broker)];

    await expect(call('catalog.events.update', { id: event.id, date: inDays(-2) }, organizer)).rejects.toMatchObject({
      code: 422,
      data: { errors: [{ field: 'date', message: 'must be in the future' }] },
    });
    await expect(
      call('catalog.events.update', { id: event.id, event_name: other.event_name.toLowerCase() }, organizer),
    ).rejects.toMatchObject({
      code: 409,
    });
    await expect(
      call('catalog.events.update', malformed({ id: event.id, organizer_id: otherOrganizer.id }), organizer),
    ).rejects.toMatchObject({
      code: 422,
    });
    await expect(call('catalog.events.update', { id: event.id }, organizer)).rejects.toMatchObject({ code: 422 });
    await expect(call('catalog.events.update', { id: event.id, event_name: 'No' }, organizer)).rejects.toMatchObject({
      code: 422,
    });
  });

  it('keeps its own name when renamed to a different case of it', async () => {
    const event = await createEvent(node.broker);

    await expect(
      call('catalog.events.update', { id: event.id, event_name: event.event_name.toUpperCase() }, organizer),
    ).resolves.toMatchObject({ event_name: event.event_name.toUpperCase() });
  });
});

describe('catalog.events.delete', () => {
  it.each([
    ['its organizer', organizer],
    ['an admin', admin],
  ])('lets %s delete it with its ticket types, keeping the rows', async (_who, caller) => {
    const event = await createEvent(node.broker);
    const ticketType = await createTicketType(node.broker, event.id);

    await expect(call('catalog.events.delete', { id: event.id }, caller)).resolves.toEqual({
      message: 'Event deleted',
    });

    await expect(call('catalog.ticketTypes.get', { id: ticketType.id })).rejects.toMatchObject({ code: 404 });
    expect(await db('events').where('id', event.id).first()).toMatchObject({ deleted_at: expect.any(Date) });
    expect(await db('ticket_types').where('id', ticketType.id).first()).toMatchObject({ deleted_at: expect.any(Date) });
  });

  it.each([
    ['another organizer', otherOrganizer, forbidden],
    ['a plain user', plainUser, forbidden],
    ['an anonymous caller', undefined, unauthorized],
  ])('refuses %s', async (_who, caller, problem) => {
    const event = await createEvent(node.broker);

    await expect(call('catalog.events.delete', { id: event.id }, caller)).rejects.toMatchObject(problem);
    await expect(call('catalog.events.get', { id: event.id })).resolves.toMatchObject({ id: event.id });
  });

  it('answers 404 for a missing event, and for one deleted already', async () => {
    const event = await createEvent(node.broker);
    await call('catalog.events.delete', { id: event.id }, organizer);

    await expect(call('catalog.events.delete', { id: event.id }, organizer)).rejects.toMatchObject(notFound);
    await expect(call('catalog.events.delete', { id: 2_000_000_000 }, admin)).rejects.toMatchObject(notFound);
  });

  it('deletes an event with pending orders: their units go with it, ordering is asked to cancel them', async () => {
    const event = await createEvent(node.broker);
    const [free, held] = [await createTicketType(node.broker, event.id), await createTicketType(node.broker, event.id)];
    const pending = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: held.id, quantity: 2 }]));
    node.ordering.cancelled = 1;

    await expect(
      callAction(
        node.broker,
        'catalog.events.delete',
        { id: event.id },
        { meta: { user: organizer, requestId: 'delete-1' } },
      ),
    ).resolves.toEqual({ message: 'Event deleted; 1 pending order cancelled' });

    expect(node.ordering.calls).toContainEqual({ eventId: event.id, requestId: 'delete-1' });
    await expect(call('catalog.events.get', { id: event.id })).rejects.toMatchObject(notFound);
    // Nothing of it is sold any more: not the pending order's units, not new ones.
    await expect(
      callAction(node.broker, 'catalog.inventory.confirm', { order_id: pending.order_id }),
    ).rejects.toMatchObject({
      code: 409,
      message: `The event of order ${pending.order_id} was deleted; its units cannot be sold`,
    });
    await expect(
      hold(node.broker, holdParams(event.id, [{ ticket_type_id: free.id, quantity: 1 }])),
    ).rejects.toMatchObject({ code: 404 });
    // Ordering's cancellation releases the hold, as for any cancelled order.
    await callAction(node.broker, 'catalog.inventory.release', { order_id: pending.order_id });
    expect(await db('ticket_types').where('id', held.id).first()).toMatchObject({ held_quantity: 0, sold_quantity: 0 });
    expect(await db('holds').where('order_id', pending.order_id).first()).toMatchObject({ state: 'released' });
  });

  it('answers once the event is deleted although ordering cannot be reached (it cancels from the event)', async () => {
    const event = await createEvent(node.broker);
    node.ordering.failure = new Error('ordering is down');

    await expect(call('catalog.events.delete', { id: event.id }, organizer)).resolves.toEqual({
      message: 'Event deleted',
    });

    await expect(call('catalog.events.get', { id: event.id })).rejects.toMatchObject(notFound);
  });

  it('of a payment and the deletion at the same instant, exactly one goes through, every time', async () => {
    for (let round = 0; round < 10; round++) {
      const event = await createEvent(node.broker);
      const ticketType = await createTicketType(node.broker, event.id);
      const pending = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 2 }]));

      const [confirmed, deleted] = await Promise.allSettled([
        callAction(node.broker, 'catalog.inventory.confirm', { order_id: pending.order_id }),
        call('catalog.events.delete', { id: event.id }, organizer),
      ]);

      const row = await db('ticket_types').where('id', ticketType.id).first();
      if (confirmed.status === 'fulfilled') {
        expect(deleted).toMatchObject({ status: 'rejected', reason: { code: 409 } });
        expect(row).toMatchObject({ deleted_at: null, sold_quantity: 2, held_quantity: 0 });
      } else {
        expect(confirmed.reason).toMatchObject({ code: 409 });
        expect(deleted.status).toBe('fulfilled');
        expect(row).toMatchObject({ deleted_at: expect.any(Date), sold_quantity: 0, held_quantity: 2 });
      }
    }
  });

  it('refuses while units are sold (a paid order), and allows it once they are refunded', async () => {
    const event = await createEvent(node.broker);
    const ticketType = await createTicketType(node.broker, event.id, { name: 'Front row' });
    const paid = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 2 }]));
    await callAction(node.broker, 'catalog.inventory.confirm', { order_id: paid.order_id });

    await expect(call('catalog.events.delete', { id: event.id }, admin)).rejects.toMatchObject({
      code: 409,
      message: '"Front row" has sold tickets (paid orders) and cannot be deleted; refund them first',
      data: { ticket_type_id: ticketType.id, sold_quantity: 2 },
    });

    await callAction(node.broker, 'catalog.inventory.restock', { order_id: paid.order_id });
    await expect(call('catalog.events.delete', { id: event.id }, admin)).resolves.toEqual({ message: 'Event deleted' });
  });

  it('is not blocked by a hold that has expired', async () => {
    const event = await createEvent(node.broker);
    const ticketType = await createTicketType(node.broker, event.id);
    await hold(
      node.broker,
      holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 3 }], { expiresInMs: 300 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));

    await expect(call('catalog.events.delete', { id: event.id }, organizer)).resolves.toEqual({
      message: 'Event deleted',
    });
    expect(await db('ticket_types').where('id', ticketType.id).first()).toMatchObject({ held_quantity: 0 });
  });
});

describe('catalog event records', () => {
  it('records created, updated and deleted for the event and its ticket types, with their facts', async () => {
    const event = await createEvent(node.broker, organizer, { date: '2090-06-01T18:00:00.000Z' });
    const ticketType = await createTicketType(node.broker, event.id, { price: 19.99, currency: 'ZWG' });
    await call('catalog.events.update', { id: event.id, location: 'Gweru' }, organizer);
    await call('catalog.events.delete', { id: event.id }, organizer);

    const rows: { name: string; envelope: { source: string; data: object } }[] = await db('outbox')
      // Ids of events and ticket types are separate sequences: each is matched with its own kind.
      .whereRaw(
        "(name LIKE 'catalog.event.%' AND (envelope->'data'->>'id')::int = ?) OR (name LIKE 'catalog.ticket_type.%' AND (envelope->'data'->>'id')::int = ?)",
        [event.id, ticketType.id],
      )
      .orderBy('seq');

    expect(rows.map((r) => [r.name, r.envelope.data])).toEqual([
      [
        'catalog.event.created',
        {
          id: event.id,
          event_name: event.event_name,
          organizer_id: organizer.id,
          location: event.location,
          date: '2090-06-01T18:00:00.000Z',
          capacity: null,
        },
      ],
      [
        'catalog.ticket_type.created',
        {
          id: ticketType.id,
          event_id: event.id,
          name: ticketType.name,
          price: '19.99',
          currency: 'ZWG',
          quantity: 100,
        },
      ],
      ['catalog.event.updated', expect.objectContaining({ id: event.id, location: 'Gweru', capacity: null })],
      ['catalog.ticket_type.deleted', { id: ticketType.id, event_id: event.id }],
      ['catalog.event.deleted', { id: event.id, organizer_id: organizer.id }],
    ]);
    expect(rows.every((r) => r.envelope.source === 'catalog')).toBe(true);
  });
});

describe("an event's transfer cut-off", () => {
  it('is set on creation and by its organizer, shown on reads, and kept within 0..8760 hours', async () => {
    const event = await call('catalog.events.create', newEventBody({ transfer_cutoff_hours: 6 }), organizer);
    expect(event.transfer_cutoff_hours).toBe(6);
    const plain = await call('catalog.events.create', newEventBody(), organizer);
    expect(plain.transfer_cutoff_hours).toBeNull();

    const changed = await call('catalog.events.update', { id: event.id, transfer_cutoff_hours: 48 }, organizer);
    expect(changed.transfer_cutoff_hours).toBe(48);
    await expect(call('catalog.events.get', { id: event.id })).resolves.toMatchObject({
      transfer_cutoff_hours: 48,
    });
    await expect(
      call('catalog.events.update', { id: event.id, transfer_cutoff_hours: null }, organizer),
    ).resolves.toMatchObject({ transfer_cutoff_hours: null });
    for (const bad of [-1, 8761, 1.5, '6']) {
      await expect(
        call('catalog.events.update', malformed({ id: event.id, transfer_cutoff_hours: bad }), organizer),
      ).rejects.toMatchObject({ code: 422 });
    }
    await expect(
      call('catalog.events.update', { id: event.id, transfer_cutoff_hours: 1 }, otherOrganizer),
    ).rejects.toMatchObject({ code: 403 });
  });
});
