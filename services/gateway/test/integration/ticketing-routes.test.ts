import { ConflictError, ForbiddenError, NotFoundError, type ActionOf } from '@ticketpro/shared';
import { IdentityStandIn, gatewayForFile, refusalCheck, startGateway } from '../support/gateway';
import {
  SAMPLE_CODE,
  SAMPLE_KEYS,
  SAMPLE_PNG,
  SAMPLE_SVG,
  TICKET_VIEW,
  TicketingStandIn,
  VALIDATION_VIEW,
} from '../support/ticketing';
import { expectProblem } from '@ticketpro/shared/testing';

/** Each tickets and validation route calls its ticketing action with the params and meta the contract fixes. */
describe('gateway: ticketing routes', () => {
  const identity = new IdentityStandIn();
  const ticketing = new TicketingStandIn();
  const [key] = identity.signingKeys;
  const gw = gatewayForFile(identity, ticketing);
  const expectRefused = refusalCheck(gw, ticketing);

  const owner = () => key.sign({ sub: '42', role: 'user' });
  const organizer = () => key.sign({ sub: '3', role: 'organizer' });

  /** The raw answer, for routes that send bytes rather than JSON. */
  const fetchRaw = (path: string, token?: string) =>
    fetch(`${gw.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  describe('tickets', () => {
    it("lists the caller's tickets with default paging, without internal fields", async () => {
      const res = await gw.api('GET', '/api/v1/tickets', { token: owner() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [TICKET_VIEW],
        total: 1,
        skip: 0,
        limit: 20,
        has_next: false,
        has_prev: false,
      });
      const call = ticketing.lastCall('ticketing.tickets.list');
      expect(call.params).toEqual({ skip: 0, limit: 20 });
      expect(call.meta.user).toEqual({ id: 42, role: 'user' });
    });

    it('passes every filter on with its type', async () => {
      const res = await gw.api('GET', '/api/v1/tickets?order_id=31&event_id=7&checked_in=true&skip=5&limit=100', {
        token: owner(),
      });
      expect(res.status).toBe(200);
      expect(ticketing.lastCall('ticketing.tickets.list').params).toEqual({
        order_id: 31,
        event_id: 7,
        checked_in: true,
        skip: 5,
        limit: 100,
      });
      await gw.api('GET', '/api/v1/tickets?checked_in=false', { token: owner() });
      expect(ticketing.lastCall('ticketing.tickets.list').params.checked_in).toBe(false);
    });

    it.each([
      ['order_id=abc', 'order_id'],
      ['event_id=0', 'event_id'],
      ['checked_in=maybe', 'checked_in'],
      ['limit=101', 'limit'],
      ['skip=-1', 'skip'],
      ['user_id=3', 'user_id'],
      ['status=valid', 'status'],
    ])('answers 422 for the query %s, naming %s, without calling ticketing', async (query, field) => {
      await expectRefused('GET', `/api/v1/tickets?${query}`, 'ticketing.tickets.list', { token: owner() }, 422, field);
    });

    it('gets one ticket by numeric id', async () => {
      const res = await gw.api('GET', '/api/v1/tickets/43', { token: organizer() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(TICKET_VIEW);
      const call = ticketing.lastCall('ticketing.tickets.get');
      expect(call.params).toEqual({ id: 43 });
      expect(call.meta.user).toEqual({ id: 3, role: 'organizer' });
    });

    it.each(['abc', '0', '-3', '1.5', '99999999999'])('answers 422 for the ticket id %s on every route', async (id) => {
      const token = owner();
      const path = `/api/v1/tickets/${id}`;
      await expectRefused('GET', path, 'ticketing.tickets.get', { token }, 422, 'id');
      await expectRefused('PUT', path, 'ticketing.tickets.update', { token, body: { seat_number: 'A1' } }, 422, 'id');
      await expectRefused('DELETE', path, 'ticketing.tickets.delete', { token }, 422, 'id');
      await expectRefused('GET', `${path}/qr`, 'ticketing.tickets.qr', { token }, 422, 'id');
    });

    it('creates a ticket: 201, the body as params, the caller in meta', async () => {
      const body = { order_id: 31, ticket_type_id: 11, seat_number: 'B-12' };
      const res = await gw.api('POST', '/api/v1/tickets', { token: owner(), body });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ ...TICKET_VIEW, seat_number: 'B-12', status: 'reserved' });
      const call = ticketing.lastCall('ticketing.tickets.create');
      expect(call.params).toEqual(body);
      expect(call.meta.user).toEqual({ id: 42, role: 'user' });
    });

    it.each([
      ['no order', { ticket_type_id: 11 }, 'order_id'],
      ['no ticket type', { order_id: 31 }, 'ticket_type_id'],
      ['a text order id', { order_id: '31', ticket_type_id: 11 }, 'order_id'],
      ['a client-set code', { order_id: 31, ticket_type_id: 11, qr_code: 'TP1.x.y' }, 'qr_code'],
      ['a client-set status', { order_id: 31, ticket_type_id: 11, status: 'valid' }, 'status'],
      ['a client-set check-in', { order_id: 31, ticket_type_id: 11, checked_in: true }, 'checked_in'],
      ['a client-set owner', { order_id: 31, ticket_type_id: 11, user_id: 1 }, 'user_id'],
      ['an empty seat', { order_id: 31, ticket_type_id: 11, seat_number: '' }, 'seat_number'],
      ['a seat of 21 characters', { order_id: 31, ticket_type_id: 11, seat_number: 'A'.repeat(21) }, 'seat_number'],
      ['markup in the seat', { order_id: 31, ticket_type_id: 11, seat_number: '<b>1</b>' }, 'seat_number'],
    ])('refuses to create a ticket with %s (422)', async (_what, body, field) => {
      await expectRefused('POST', '/api/v1/tickets', 'ticketing.tickets.create', { token: owner(), body }, 422, field);
    });

    it('refuses to create a ticket from malformed JSON (400)', async () => {
      await expectRefused(
        'POST',
        '/api/v1/tickets',
        'ticketing.tickets.create',
        { token: owner(), raw: '{"order_id": ' },
        400,
      );
    });

    it('passes ticketing problems on: sold out is 409, another pending order 404', async () => {
      ticketing.failure = new ConflictError('Sold out');
      const soldOut = await gw.api('POST', '/api/v1/tickets', {
        token: owner(),
        body: { order_id: 31, ticket_type_id: 11 },
      });
      expectProblem(soldOut, 409);
      expect(soldOut.body.detail).toBe('Sold out');
      ticketing.failure = new NotFoundError('Order not found');
      expectProblem(
        await gw.api('POST', '/api/v1/tickets', { token: owner(), body: { order_id: 31, ticket_type_id: 11 } }),
        404,
      );
    });

    it('updates a ticket: the id from the path, the changes from the body', async () => {
      const res = await gw.api('PUT', '/api/v1/tickets/43', { token: owner(), body: { seat_number: 'Row C 4' } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...TICKET_VIEW, seat_number: 'Row C 4' });
      expect(ticketing.lastCall('ticketing.tickets.update').params).toEqual({ id: 43, seat_number: 'Row C 4' });

      const flags = { checked_in: true, checked_out: false, seat_number: null };
      expect((await gw.api('PUT', '/api/v1/tickets/43', { token: organizer(), body: flags })).status).toBe(200);
      expect(ticketing.lastCall('ticketing.tickets.update').params).toEqual({ id: 43, ...flags });
    });

    it.each([
      ['nothing to change', {}, '(body)'],
      ['another id', { id: 44 }, 'id'],
      ['a status', { status: 'used' }, 'status'],
      ['a code', { qr_code: SAMPLE_CODE }, 'qr_code'],
      ['a validation time', { validated_at: '2027-04-28T15:30:00.000Z' }, 'validated_at'],
      ['check-in as text', { checked_in: 'yes' }, 'checked_in'],
    ])('refuses an update with %s (422)', async (_what, body, field) => {
      await expectRefused(
        'PUT',
        '/api/v1/tickets/43',
        'ticketing.tickets.update',
        { token: owner(), body },
        422,
        field,
      );
    });

    it("passes a refused check-in flag on as ticketing's 403", async () => {
      ticketing.failure = new ForbiddenError('Only the event organizer or an admin can check tickets in');
      const res = await gw.api('PUT', '/api/v1/tickets/43', { token: owner(), body: { checked_in: true } });
      expectProblem(res, 403);
      expect(res.body.detail).toMatch(/organizer/);
    });

    it('cancels a ticket: 200 with the message; a checked-in one is 409', async () => {
      const res = await gw.api('DELETE', '/api/v1/tickets/43', { token: owner() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Ticket cancelled' });
      expect(ticketing.lastCall('ticketing.tickets.delete').params).toEqual({ id: 43 });
      ticketing.failure = new ConflictError('A checked-in ticket cannot be cancelled');
      expectProblem(await gw.api('DELETE', '/api/v1/tickets/43', { token: owner() }), 409);
    });
  });

  describe('QR image', () => {
    it('answers the PNG bytes as image/png by default, not to be cached', async () => {
      const res = await fetchRaw('/api/v1/tickets/43/qr', owner());
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      expect(Buffer.from(await res.arrayBuffer())).toEqual(SAMPLE_PNG);
      expect(ticketing.lastCall('ticketing.tickets.qr').params).toEqual({ id: 43, format: 'png' });
      expect(res.headers.get('x-request-id')).toBe(ticketing.lastCall('ticketing.tickets.qr').requestID);
    });

    it('answers the SVG text as image/svg+xml with ?format=svg', async () => {
      const res = await fetchRaw('/api/v1/tickets/43/qr?format=svg', owner());
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect(await res.text()).toBe(SAMPLE_SVG);
      expect(ticketing.lastCall('ticketing.tickets.qr').params).toEqual({ id: 43, format: 'svg' });
    });

    it.each(['format=gif', 'format=', 'size=300'])('answers 422 for the query %s', async (query) => {
      await expectRefused('GET', `/api/v1/tickets/43/qr?${query}`, 'ticketing.tickets.qr', { token: owner() }, 422);
    });

    it("answers ticketing's problems as problem+json, not as an image", async () => {
      ticketing.failure = new NotFoundError('Ticket not found');
      const res = await gw.api('GET', '/api/v1/tickets/43/qr', { token: owner() });
      expectProblem(res, 404);
      expect(res.body.detail).toBe('Ticket not found');
    });
  });

  describe('validation', () => {
    const scans: [string, ActionOf<'ticketing'>][] = [
      ['/api/v1/validation/validate', 'ticketing.validation.validate'],
      ['/api/v1/validation/checkin', 'ticketing.validation.checkin'],
      ['/api/v1/validation/checkout', 'ticketing.validation.checkout'],
    ];

    it.each(scans)('POST %s passes the code on with the scanner in meta', async (path, action) => {
      const res = await gw.api('POST', path, { token: organizer(), body: { qr_code: SAMPLE_CODE } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ticket_id: 43, event_id: 7 });
      expect(Object.keys(res.body).sort()).toEqual(Object.keys(VALIDATION_VIEW).sort());
      const call = ticketing.lastCall(action);
      expect(call.params).toEqual({ qr_code: SAMPLE_CODE });
      expect(call.meta.user).toEqual({ id: 3, role: 'organizer' });
    });

    it('answers the check-in as ticketing decided it', async () => {
      const res = await gw.api('POST', '/api/v1/validation/checkin', {
        token: organizer(),
        body: { qr_code: SAMPLE_CODE },
      });
      expect(res.body).toEqual(VALIDATION_VIEW);
    });

    it.each(scans)(
      'POST %s answers 422 for a missing, empty, oversized, typed wrong or extra field',
      async (path, action) => {
        const token = organizer();
        await expectRefused('POST', path, action, { token, body: {} }, 422, 'qr_code');
        await expectRefused('POST', path, action, { token, body: { qr_code: '' } }, 422, 'qr_code');
        await expectRefused('POST', path, action, { token, body: { qr_code: 'x'.repeat(513) } }, 422, 'qr_code');
        await expectRefused('POST', path, action, { token, body: { qr_code: 43 } }, 422, 'qr_code');
        await expectRefused(
          'POST',
          path,
          action,
          { token, body: { qr_code: SAMPLE_CODE, ticket_id: 43 } },
          422,
          'ticket_id',
        );
        await expectRefused('POST', path, action, { token, raw: '{"qr_code": ' }, 400);
      },
    );

    it('hands a second check-in the first validated_at in the 409 problem', async () => {
      ticketing.failure = new ConflictError('Ticket already checked in', { validated_at: '2027-04-28T15:30:00.000Z' });
      const res = await gw.api('POST', '/api/v1/validation/checkin', {
        token: organizer(),
        body: { qr_code: SAMPLE_CODE },
      });
      expectProblem(res, 409);
      expect(res.body).toMatchObject({
        detail: 'Ticket already checked in',
        validated_at: '2027-04-28T15:30:00.000Z',
        instance: '/api/v1/validation/checkin',
      });
    });

    it('passes a forged code (404) and a scanner of another event (403) on', async () => {
      ticketing.failure = new NotFoundError('Unknown ticket code');
      expectProblem(
        await gw.api('POST', '/api/v1/validation/checkin', { token: organizer(), body: { qr_code: 'TP1.a.b' } }),
        404,
      );
      ticketing.failure = new ForbiddenError('Only the event organizer or an admin can scan tickets');
      expectProblem(
        await gw.api('POST', '/api/v1/validation/validate', { token: owner(), body: { qr_code: SAMPLE_CODE } }),
        403,
      );
    });

    it("gets a ticket's status by its id from the path", async () => {
      const res = await gw.api('GET', '/api/v1/validation/status/43', { token: owner() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(VALIDATION_VIEW);
      const call = ticketing.lastCall('ticketing.validation.status');
      expect(call.params).toEqual({ ticket_id: 43 });
      expect(call.meta.user).toEqual({ id: 42, role: 'user' });
    });

    it.each(['abc', '0', '1.5'])('answers 422 for the status of ticket %s', async (id) => {
      const path = `/api/v1/validation/status/${id}`;
      await expectRefused('GET', path, 'ticketing.validation.status', { token: owner() }, 422, 'ticket_id');
    });

    it('publishes the public keys to anyone, ignoring any token', async () => {
      for (const token of [undefined, 'not.a.jwt', owner()]) {
        const res = await gw.api('GET', '/api/v1/validation/keys', { token });
        expect(res.status).toBe(200);
        expect(res.body).toEqual(SAMPLE_KEYS);
        expect(ticketing.lastCall('ticketing.validation.keys').meta.user).toBeUndefined();
      }
    });
  });

  it('requires a valid token on every route but the keys', async () => {
    const body = { qr_code: SAMPLE_CODE };
    for (const token of [undefined, 'not.a.jwt', key.sign({ exp: Math.floor(Date.now() / 1000) - 5 })]) {
      await expectRefused('GET', '/api/v1/tickets', 'ticketing.tickets.list', { token }, 401);
      await expectRefused('GET', '/api/v1/tickets/43', 'ticketing.tickets.get', { token }, 401);
      await expectRefused(
        'POST',
        '/api/v1/tickets',
        'ticketing.tickets.create',
        { token, body: { order_id: 31, ticket_type_id: 11 } },
        401,
      );
      await expectRefused(
        'PUT',
        '/api/v1/tickets/43',
        'ticketing.tickets.update',
        { token, body: { seat_number: 'A1' } },
        401,
      );
      await expectRefused('DELETE', '/api/v1/tickets/43', 'ticketing.tickets.delete', { token }, 401);
      await expectRefused('GET', '/api/v1/tickets/43/qr', 'ticketing.tickets.qr', { token }, 401);
      await expectRefused('POST', '/api/v1/validation/validate', 'ticketing.validation.validate', { token, body }, 401);
      await expectRefused('POST', '/api/v1/validation/checkin', 'ticketing.validation.checkin', { token, body }, 401);
      await expectRefused('POST', '/api/v1/validation/checkout', 'ticketing.validation.checkout', { token, body }, 401);
      await expectRefused('GET', '/api/v1/validation/status/43', 'ticketing.validation.status', { token }, 401);
    }
  });

  it('answers 503 while ticketing is not running', async () => {
    const withoutTicketing = await startGateway([identity.schema()]);
    try {
      const res = await withoutTicketing.api('GET', '/api/v1/tickets', { token: owner() });
      expectProblem(res, 503);
      expect(res.headers.get('retry-after')).toBe('5');
      expectProblem(await withoutTicketing.api('GET', '/api/v1/validation/keys'), 503);
      const image = await withoutTicketing.api('GET', '/api/v1/tickets/43/qr', { token: owner() });
      expectProblem(image, 503);
    } finally {
      await withoutTicketing.close();
    }
  });

  describe('OpenAPI', () => {
    let doc: any;
    beforeAll(async () => {
      doc = (await gw.api('GET', '/api/openapi.json')).body;
    });
    const success = (path: string, method: string, status = 200) =>
      doc.paths[path][method].responses[status].content['application/json'].schema;

    it('describes tickets and scans by the shared Ticket, ValidationResult and TicketKeys schemas', () => {
      expect(Object.keys(doc.components.schemas)).toEqual(
        expect.arrayContaining(['Ticket', 'ValidationResult', 'TicketKeys']),
      );
      expect(success('/api/v1/tickets', 'get').properties.items.items).toEqual({ $ref: '#/components/schemas/Ticket' });
      expect(success('/api/v1/tickets', 'post', 201)).toEqual({ $ref: '#/components/schemas/Ticket' });
      expect(success('/api/v1/tickets/{id}', 'put')).toEqual({ $ref: '#/components/schemas/Ticket' });
      expect(success('/api/v1/validation/checkin', 'post')).toEqual({ $ref: '#/components/schemas/ValidationResult' });
      expect(success('/api/v1/validation/status/{ticket_id}', 'get')).toEqual({
        $ref: '#/components/schemas/ValidationResult',
      });
      expect(success('/api/v1/validation/keys', 'get')).toEqual({ $ref: '#/components/schemas/TicketKeys' });
      expect(doc.paths['/api/v1/validation/checkin'].post.responses['409']).toBeDefined();
      expect(doc.paths['/api/v1/tickets/{id}'].delete.responses['409']).toBeDefined();
    });

    it('documents the QR route as PNG or SVG, with its format', () => {
      const op = doc.paths['/api/v1/tickets/{id}/qr'].get;
      expect(Object.keys(op.responses['200'].content).sort()).toEqual(['image/png', 'image/svg+xml']);
      const format = op.parameters.find((p: { name: string }) => p.name === 'format');
      expect(format).toMatchObject({ in: 'query', required: false });
      expect(op.responses['404'].content['application/problem+json']).toBeDefined();
    });

    it('tags tickets and validation, behind a token but for the keys', () => {
      const TOKEN = [{ OAuth2PasswordBearer: [] }, { BearerAuth: [] }];
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
        for (const [method, op] of Object.entries(ops)) {
          if (path.startsWith('/api/v1/validation')) expect(op.tags).toEqual(['validation']);
          else if (path.startsWith('/api/v1/tickets') && !path.startsWith('/api/v1/tickets/types'))
            expect(op.tags).toEqual(['tickets']);
          else continue;
          expect([method, path, op.security]).toEqual([method, path, path.endsWith('/keys') ? [] : TOKEN]);
        }
      }
      expect(doc.tags.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['tickets', 'validation']));
    });
  });
});
