import { ConflictError, type ActionOf } from '@ticketpro/shared';
import { CatalogStandIn, EVENT_SUMMARY_VIEW, EVENT_VIEW, TICKET_TYPE_VIEW } from '../support/catalog';
import { IdentityStandIn, SigningKey, gatewayForFile, refusalCheck, startGateway } from '../support/gateway';
import { TICKET_VIEW, TicketingStandIn } from '../support/ticketing';
import { expectProblem } from '@ticketpro/shared/testing';

/** Each events and ticket types route calls its catalog action with the params and meta the contract fixes. */
describe('gateway: catalog routes', () => {
  const identity = new IdentityStandIn();
  const catalog = new CatalogStandIn();
  // Owns the tickets' `/tickets/:id` routes, which must not swallow `/tickets/types`.
  const ticketing = new TicketingStandIn();
  const [key] = identity.signingKeys;
  const gw = gatewayForFile(identity, catalog, ticketing);
  const expectRefused = refusalCheck(gw, catalog);

  const organizer = () => key.sign({ sub: '3', role: 'organizer' });
  const callsTo = (action: ActionOf<'catalog'>) => catalog.callsOf(action).length;

  describe('events', () => {
    const newEvent = {
      event_name: 'Bulawayo Jazz Night',
      description: 'Live jazz under the stars, all evening long',
      location: 'Bulawayo City Hall',
      date: '2027-06-12T18:00:00.000Z',
      image: 'https://images.example.com/jazz.png',
    };

    it('lists events anonymously with default paging, without contact details or internal fields', async () => {
      const res = await gw.api('GET', '/api/v1/events');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [EVENT_SUMMARY_VIEW],
        total: 1,
        skip: 0,
        limit: 20,
        has_next: false,
        has_prev: false,
      });
      const call = catalog.lastCall('catalog.events.list');
      expect(call.params).toEqual({ skip: 0, limit: 20 });
      expect(call.meta.user).toBeUndefined();
    });

    it('passes every filter on with its type', async () => {
      const query =
        'search=jazz&location=Bulawayo&organizer_id=3&from_date=2027-06-01&to_date=2027-06-30T23:59:59Z&skip=20&limit=10';
      expect((await gw.api('GET', `/api/v1/events?${query}`)).status).toBe(200);
      expect(catalog.lastCall('catalog.events.list').params).toEqual({
        search: 'jazz',
        location: 'Bulawayo',
        organizer_id: 3,
        from_date: '2027-06-01',
        to_date: '2027-06-30T23:59:59Z',
        skip: 20,
        limit: 10,
      });
    });

    it.each([
      ['organizer_id=abc', 'organizer_id'],
      ['organizer_id=0', 'organizer_id'],
      ['organizer_id=1.5', 'organizer_id'],
      ['limit=101', 'limit'],
      ['limit=0', 'limit'],
      ['skip=-1', 'skip'],
      ['from_date=yesterday', 'from_date'],
      ['to_date=2027-13-45', 'to_date'],
      ['search=', 'search'],
      ['sort=date', 'sort'],
    ])('answers 422 for the query %s, naming %s, without calling catalog', async (query, field) => {
      await expectRefused('GET', `/api/v1/events?${query}`, 'catalog.events.list', {}, 422, field);
    });

    it('gets one event by numeric id', async () => {
      const res = await gw.api('GET', '/api/v1/events/7');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(EVENT_VIEW);
      expect(catalog.lastCall('catalog.events.get').params).toEqual({ id: 7 });
    });

    it.each(['abc', '0', '-3', '1.5', '99999999999'])('answers 422 for the event id %s on every route', async (id) => {
      const token = organizer();
      await expectRefused('GET', `/api/v1/events/${id}`, 'catalog.events.get', {}, 422, 'id');
      await expectRefused(
        'PUT',
        `/api/v1/events/${id}`,
        'catalog.events.update',
        { token, body: { location: 'Mutare' } },
        422,
        'id',
      );
      await expectRefused('DELETE', `/api/v1/events/${id}`, 'catalog.events.delete', { token }, 422, 'id');
    });

    it('creates an event for the caller: 201, the body as params, the user in meta', async () => {
      const res = await gw.api('POST', '/api/v1/events', { token: organizer(), body: newEvent });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ ...EVENT_VIEW, ...newEvent });
      const call = catalog.lastCall('catalog.events.create');
      expect(call.params).toEqual(newEvent);
      expect(call.meta.user).toEqual({ id: 3, role: 'organizer' });
    });

    it.each([
      ['a server-owned id', { id: 99 }, 'id'],
      ['a server-owned organizer', { organizer_id: 1 }, 'organizer_id'],
      ['ticket types inline', { ticket_types: [] }, 'ticket_types'],
      ['a short name', { event_name: 'Jz' }, 'event_name'],
      ['a blank name', { event_name: '     ' }, 'event_name'],
      ['a short description', { description: 'Jazz!' }, 'description'],
      ['a short location', { location: 'X' }, 'location'],
      ['a date without time and zone', { date: '2027-06-12' }, 'date'],
      ['a date as a number', { date: 1812345678 }, 'date'],
      ['an image that is not a URL', { image: 'jazz.png' }, 'image'],
      ['a javascript: image', { image: 'javascript:alert(document.cookie)' }, 'image'],
      ['a file: image', { image: 'file:///etc/passwd' }, 'image'],
      ['a data: image', { image: 'data:image/svg+xml,<svg onload=alert(1)>' }, 'image'],
      ['an ftp: image', { image: 'ftp://images.example.com/jazz.png' }, 'image'],
    ])('refuses to create an event with %s (422)', async (_what, change, field) => {
      const body = { ...newEvent, ...change };
      await expectRefused('POST', '/api/v1/events', 'catalog.events.create', { token: organizer(), body }, 422, field);
    });

    it('takes http and https images, in any letter case', async () => {
      for (const image of ['http://images.example.com/a.png', 'HTTPS://images.example.com/b.png']) {
        const res = await gw.api('POST', '/api/v1/events', { token: organizer(), body: { ...newEvent, image } });
        expect(res.status).toBe(201);
        expect(catalog.lastCall('catalog.events.create').params).toMatchObject({ image });
      }
    });

    it('refuses to create an event with a missing field (422)', async () => {
      const { location: _location, ...body } = newEvent;
      await expectRefused(
        'POST',
        '/api/v1/events',
        'catalog.events.create',
        { token: organizer(), body },
        422,
        'location',
      );
    });

    it('updates an event: the id from the path, the changes from the body', async () => {
      const res = await gw.api('PUT', '/api/v1/events/7', { token: organizer(), body: { location: 'Mutare Museum' } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...EVENT_VIEW, location: 'Mutare Museum' });
      const call = catalog.lastCall('catalog.events.update');
      expect(call.params).toEqual({ id: 7, location: 'Mutare Museum' });
      expect(call.meta.user).toEqual({ id: 3, role: 'organizer' });
    });

    it.each([
      ['nothing to change', {}, '(body)'],
      ['another id', { id: 8 }, 'id'],
      ['another organizer', { organizer_id: 1 }, 'organizer_id'],
      ['a short name', { event_name: 'Jz' }, 'event_name'],
      ['a javascript: image', { image: 'JavaScript:alert(1)' }, 'image'],
    ])('refuses an update with %s (422)', async (_what, body, field) => {
      await expectRefused('PUT', '/api/v1/events/7', 'catalog.events.update', { token: organizer(), body }, 422, field);
    });

    it('deletes an event: 200 with the message', async () => {
      const res = await gw.api('DELETE', '/api/v1/events/7', { token: organizer() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Event deleted' });
      expect(catalog.lastCall('catalog.events.delete').params).toEqual({ id: 7 });
    });

    it('passes catalog problems on: a duplicate name is 409', async () => {
      catalog.failure = new ConflictError('An event with this name already exists');
      const res = await gw.api('POST', '/api/v1/events', { token: organizer(), body: newEvent });
      expectProblem(res, 409);
      expect(res.body.detail).toBe('An event with this name already exists');
    });

    it('requires a valid token to create, update or delete', async () => {
      for (const token of [undefined, 'not.a.jwt', key.sign({ exp: Math.floor(Date.now() / 1000) - 5 })]) {
        await expectRefused('POST', '/api/v1/events', 'catalog.events.create', { token, body: newEvent }, 401);
        await expectRefused(
          'PUT',
          '/api/v1/events/7',
          'catalog.events.update',
          { token, body: { location: 'Gweru' } },
          401,
        );
        await expectRefused('DELETE', '/api/v1/events/7', 'catalog.events.delete', { token }, 401);
      }
    });
  });

  describe('ticket types', () => {
    const newTicketType = {
      event_id: 7,
      name: 'VIP lounge',
      description: 'Seats in the lounge, with a welcome drink',
      price: 19.99,
      quantity: 50,
      currency: 'ZWG',
      sales_start: '2027-03-01T00:00:00.000Z',
      sales_end: null,
      max_per_order: 4,
    };

    it('lists ticket types anonymously with default paging, without internal fields', async () => {
      const res = await gw.api('GET', '/api/v1/tickets/types');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [TICKET_TYPE_VIEW],
        total: 1,
        skip: 0,
        limit: 20,
        has_next: false,
        has_prev: false,
      });
      expect(catalog.lastCall('catalog.ticketTypes.list').params).toEqual({ skip: 0, limit: 20 });
    });

    it('filters by event', async () => {
      expect((await gw.api('GET', '/api/v1/tickets/types?event_id=7&limit=100')).status).toBe(200);
      expect(catalog.lastCall('catalog.ticketTypes.list').params).toEqual({ event_id: 7, skip: 0, limit: 100 });
    });

    it.each([
      ['event_id=abc', 'event_id'],
      ['event_id=-1', 'event_id'],
      ['limit=101', 'limit'],
      ['skip=x', 'skip'],
      ['search=vip', 'search'],
    ])('answers 422 for the query %s, naming %s', async (query, field) => {
      await expectRefused('GET', `/api/v1/tickets/types?${query}`, 'catalog.ticketTypes.list', {}, 422, field);
    });

    it('gets one ticket type by numeric id', async () => {
      const res = await gw.api('GET', '/api/v1/tickets/types/11');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(TICKET_TYPE_VIEW);
      expect(catalog.lastCall('catalog.ticketTypes.get').params).toEqual({ id: 11 });
    });

    it.each(['abc', '0', '-3', '1.5', '99999999999'])(
      'answers 422 for the ticket type id %s on every route',
      async (id) => {
        const token = organizer();
        const path = `/api/v1/tickets/types/${id}`;
        await expectRefused('GET', path, 'catalog.ticketTypes.get', {}, 422, 'id');
        await expectRefused('PUT', path, 'catalog.ticketTypes.update', { token, body: { quantity: 10 } }, 422, 'id');
        await expectRefused('DELETE', path, 'catalog.ticketTypes.delete', { token }, 422, 'id');
      },
    );

    it('creates a ticket type: 201, the body as params, 19.99 in and 19.99 out', async () => {
      const res = await gw.api('POST', '/api/v1/tickets/types', { token: organizer(), body: newTicketType });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ ...TICKET_TYPE_VIEW, ...newTicketType });
      const call = catalog.lastCall('catalog.ticketTypes.create');
      expect(call.params).toEqual(newTicketType);
      expect(call.meta.user).toEqual({ id: 3, role: 'organizer' });
    });

    it.each([
      ['a server-owned id', { id: 5 }, 'id'],
      ['a sold quantity', { sold_quantity: 0 }, 'sold_quantity'],
      ['an available quantity', { available_quantity: 50 }, 'available_quantity'],
      ['a negative price', { price: -1 }, 'price'],
      ['three decimals', { price: 19.999 }, 'price'],
      ['a price over 100000', { price: 100000.01 }, 'price'],
      ['a price as text', { price: '19.99' }, 'price'],
      ['zero quantity', { quantity: 0 }, 'quantity'],
      ['a fractional quantity', { quantity: 1.5 }, 'quantity'],
      ['a lower-case currency', { currency: 'usd' }, 'currency'],
      ['a currency name', { currency: 'Dollars' }, 'currency'],
      ['a short name', { name: 'VI' }, 'name'],
      ['a short description', { description: 'Seats' }, 'description'],
      ['a non-numeric event', { event_id: 'seven' }, 'event_id'],
      ['a zero max per order', { max_per_order: 0 }, 'max_per_order'],
    ])('refuses to create a ticket type with %s (422)', async (_what, change, field) => {
      const body = { ...newTicketType, ...change };
      await expectRefused(
        'POST',
        '/api/v1/tickets/types',
        'catalog.ticketTypes.create',
        { token: organizer(), body },
        422,
        field,
      );
    });

    it('takes the boundary prices 0 and 100000', async () => {
      for (const price of [0, 100000, 0.01]) {
        const res = await gw.api('POST', '/api/v1/tickets/types', {
          token: organizer(),
          body: { ...newTicketType, price },
        });
        expect(res.status).toBe(201);
        expect(catalog.lastCall('catalog.ticketTypes.create').params.price).toBe(price);
      }
    });

    it('updates a ticket type: the id from the path, the changes from the body', async () => {
      const res = await gw.api('PUT', '/api/v1/tickets/types/11', {
        token: organizer(),
        body: { price: 25.5, quantity: 600 },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...TICKET_TYPE_VIEW, price: 25.5, quantity: 600 });
      expect(catalog.lastCall('catalog.ticketTypes.update').params).toEqual({ id: 11, price: 25.5, quantity: 600 });
    });

    it.each([
      ['nothing to change', {}, '(body)'],
      ['another event', { event_id: 8 }, 'event_id'],
      ['a sold quantity', { sold_quantity: 3 }, 'sold_quantity'],
      ['zero quantity', { quantity: 0 }, 'quantity'],
    ])('refuses an update with %s (422)', async (_what, body, field) => {
      const options = { token: organizer(), body };
      await expectRefused('PUT', '/api/v1/tickets/types/11', 'catalog.ticketTypes.update', options, 422, field);
    });

    it('deletes a ticket type: 200 with the message', async () => {
      const res = await gw.api('DELETE', '/api/v1/tickets/types/11', { token: organizer() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Ticket type deleted' });
      expect(catalog.lastCall('catalog.ticketTypes.delete').params).toEqual({ id: 11 });
    });

    it('requires a token to create, update or delete', async () => {
      await expectRefused('POST', '/api/v1/tickets/types', 'catalog.ticketTypes.create', { body: newTicketType }, 401);
      await expectRefused(
        'PUT',
        '/api/v1/tickets/types/11',
        'catalog.ticketTypes.update',
        { body: { quantity: 9 } },
        401,
      );
      await expectRefused('DELETE', '/api/v1/tickets/types/11', 'catalog.ticketTypes.delete', {}, 401);
    });
  });

  describe('optional authentication on public reads', () => {
    // `GET /events/{id}` is answered from the gateway's cache, the same for every caller
    // (event-read-cache.test.ts): which caller catalog last saw says nothing about a request.
    const publicReads: [string, ActionOf<'catalog'>][] = [
      ['/api/v1/events', 'catalog.events.list'],
      ['/api/v1/tickets/types', 'catalog.ticketTypes.list'],
      ['/api/v1/tickets/types/11', 'catalog.ticketTypes.get'],
    ];

    it.each(publicReads)('passes the user of a valid token on: GET %s', async (path, action) => {
      const res = await gw.api('GET', path, { token: organizer() });
      expect(res.status).toBe(200);
      expect(catalog.lastCall(action).meta.user).toEqual({ id: 3, role: 'organizer' });
    });

    it.each(publicReads)(
      'answers GET %s anonymously when the token is bad, expired or foreign',
      async (path, action) => {
        const badTokens = ['not.a.jwt', key.sign({ exp: Math.floor(Date.now() / 1000) - 5 }), new SigningKey().sign()];
        for (const token of badTokens) {
          const res = await gw.api('GET', path, { token });
          expect(res.status).toBe(200);
          expect(res.headers.get('www-authenticate')).toBeNull();
          expect(catalog.lastCall(action).meta.user).toBeUndefined();
        }
      },
    );

    it('answers a public read anonymously while identity cannot be asked for its keys', async () => {
      const lonely = new CatalogStandIn();
      const withoutIdentity = await startGateway([lonely.schema()]);
      try {
        const res = await withoutIdentity.api('GET', '/api/v1/events', { token: key.sign() });
        expect(res.status).toBe(200);
        expect(lonely.lastCall('catalog.events.list').meta.user).toBeUndefined();
        expectProblem(await withoutIdentity.api('POST', '/api/v1/events', { token: key.sign(), body: {} }), 503);
      } finally {
        await withoutIdentity.close();
      }
    });
  });

  describe('routing', () => {
    it("matches /tickets/types before the tickets' /tickets/:id routes", async () => {
      const list = await gw.api('GET', '/api/v1/tickets/types');
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([TICKET_TYPE_VIEW]);

      const before = callsTo('catalog.ticketTypes.get');
      expect((await gw.api('GET', '/api/v1/tickets/types/11')).body).toEqual(TICKET_TYPE_VIEW);
      expect(callsTo('catalog.ticketTypes.get')).toBe(before + 1);
      // A malformed ticket type id is refused as such, not handed to the tickets route.
      expectProblem(await gw.api('GET', '/api/v1/tickets/types/abc'), 422);

      expect(ticketing.callsOf('ticketing.tickets.get')).toHaveLength(0);

      const ticket = await gw.api('GET', '/api/v1/tickets/42', { token: organizer() });
      expect(ticket.body).toEqual({ ...TICKET_VIEW, id: 42 });
      expect(ticketing.lastCall('ticketing.tickets.get').params).toEqual({ id: 42 });
    });
  });
});
