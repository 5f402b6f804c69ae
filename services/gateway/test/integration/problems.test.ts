import { Errors } from 'moleculer';
import { ConflictError, ProblemError } from '@ticketpro/shared';
import { IdentityStandIn, startGateway, type Gateway } from '../support/gateway';
import { expectProblem } from '@ticketpro/shared/testing';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('gateway: request ids and problem responses', () => {
  const identity = new IdentityStandIn();
  const [key] = identity.signingKeys;
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway([identity.schema()]);
  });
  afterAll(() => gw.close());
  beforeEach(() => {
    identity.failure = undefined;
  });

  const refresh = (body: unknown = { refresh_token: 'r1' }, headers: Record<string, string> = {}) =>
    gw.api('POST', '/api/v1/auth/refresh', { body, headers });
  const post = (path: string, contentType: string, payload: string) =>
    fetch(`${gw.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: payload });

  describe('request id', () => {
    it('takes a sane x-request-id, echoes it and hands it to the service as requestID and meta.requestId', async () => {
      const res = await refresh(undefined, { 'x-request-id': 'client-req:42.a_b' });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('client-req:42.a_b');
      const call = identity.lastCall('identity.refresh');
      expect(call.requestID).toBe('client-req:42.a_b');
      expect(call.meta).toEqual({ requestId: 'client-req:42.a_b', ip: '127.0.0.1' });
    });

    it.each([
      ['too long', 'x'.repeat(129)],
      ['with unsafe characters', 'abc def<script>'],
    ])('replaces an id that is %s with a fresh UUID', async (_why, offered) => {
      const res = await refresh(undefined, { 'x-request-id': offered });
      expect(res.headers.get('x-request-id')).toMatch(UUID);
      expect(identity.lastCall('identity.refresh').requestID).toBe(res.headers.get('x-request-id'));
    });

    it('makes a new id per request when none is sent', async () => {
      const [a, b] = await Promise.all([refresh(), refresh()]);
      expect(a.headers.get('x-request-id')).toMatch(UUID);
      expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
    });

    it('echoes the id on errors and on unknown routes', async () => {
      const notFound = await gw.api('GET', '/nope', { headers: { 'x-request-id': 'r-404' } });
      expect(notFound.headers.get('x-request-id')).toBe('r-404');
      const invalid = await refresh({ refresh_token: 5 }, { 'x-request-id': 'r-422' });
      expect(invalid.status).toBe(422);
      expect(invalid.headers.get('x-request-id')).toBe('r-422');
    });
  });

  describe('bad input', () => {
    it('answers 404 problem+json for an unknown route', async () => {
      const res = await gw.api('GET', '/api/v1/nothing-here?x=1');
      expectProblem(res, 404);
      expect(res.body).toEqual({
        type: 'urn:ticketpro:problem:not-found',
        title: 'Not Found',
        status: 404,
        detail: 'No route for GET /api/v1/nothing-here',
        instance: '/api/v1/nothing-here',
      });
    });

    it('answers 400 for malformed JSON, without quoting the body back', async () => {
      const res = await gw.api('POST', '/api/v1/auth/refresh', { raw: '{"refresh_token": "secret-value"' });
      expectProblem(res, 400);
      expect(res.body).toMatchObject({ type: 'urn:ticketpro:problem:bad-request', instance: '/api/v1/auth/refresh' });
      expect(JSON.stringify(res.body)).not.toContain('secret-value');
    });

    it('answers 400 for an empty JSON body', async () => {
      const res = await gw.api('POST', '/api/v1/auth/refresh', { raw: '' });
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/empty/);
    });

    it('answers 415 for a content type it does not take', async () => {
      const res = await post('/api/v1/auth/refresh', 'text/plain', 'r1');
      expect(res.status).toBe(415);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({
        type: 'urn:ticketpro:problem:unsupported-media-type',
        title: 'Unsupported Media Type',
      });
    });

    it('takes the OAuth2 form on login only', async () => {
      expectProblem(await gw.api('POST', '/api/v1/auth/refresh', { form: { refresh_token: 'r1' } }), 415);
    });

    it('answers 413 for a body over 1 MiB', async () => {
      expectProblem(await refresh({ refresh_token: 'x'.repeat(1024 * 1024) }), 413);
    });

    it('answers 422 naming an unknown body field, and does not call the service', async () => {
      const before = identity.callsOf('identity.refresh').length;
      const res = await refresh({ refresh_token: 'r1', role: 'admin' });
      expectProblem(res, 422);
      expect(res.body).toEqual({
        type: 'urn:ticketpro:problem:validation-error',
        title: 'Unprocessable Content',
        status: 422,
        detail: 'Invalid request body: role is not allowed',
        instance: '/api/v1/auth/refresh',
        errors: [{ field: 'role', message: 'is not allowed' }],
      });
      expect(identity.callsOf('identity.refresh')).toHaveLength(before);
    });

    it('does not coerce body types: a number is not a string', async () => {
      const res = await refresh({ refresh_token: 12345 });
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([{ field: 'refresh_token', message: 'must be string' }]);
    });

    it('answers 422 for a body that is missing altogether', async () => {
      const res = await gw.api('POST', '/api/v1/auth/refresh');
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([{ field: '(body)', message: 'must be object' }]);
    });

    it('lists every broken rule of a registration', async () => {
      const res = await gw.api('POST', '/api/v1/auth/register', {
        body: {
          firstname: '',
          surname: 'X',
          email: 'not-an-email',
          password: 'short',
          phone_number: '12',
          street_address: '1 Road',
        },
      });
      expectProblem(res, 422);
      const fields = res.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['firstname', 'email', 'password', 'phone_number']));
      expect(res.body.detail).toContain('email must be a valid email address');
      expect(res.body.detail).toContain('password must contain an uppercase letter (rule: uppercase)');
    });

    it('coerces the query string, and answers 422 for limit > 100 or a negative skip', async () => {
      const token = key.sign();
      const ok = await gw.api('GET', '/api/v1/users?limit=5&skip=10', { token });
      expect(ok.status).toBe(200);
      expect(identity.lastCall('identity.users.list').params).toEqual({ limit: 5, skip: 10 });

      const res = await gw.api('GET', '/api/v1/users?limit=101&skip=-1', { token });
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([
        { field: 'skip', message: 'must be >= 0' },
        { field: 'limit', message: 'must be <= 100' },
      ]);
      expect(res.body.detail).toBe('Invalid query string: skip must be >= 0; limit must be <= 100');
    });

    it.each(['abc', '0', '-3', '1.5', '99999999999'])('answers 422 for the user id %s', async (id) => {
      const res = await gw.api('GET', `/api/v1/users/${id}`, { token: key.sign() });
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
    });

    it('answers 400 for a URL that cannot be decoded', async () => {
      const res = await gw.api('GET', '/api/v1/users/%E0%A4%A', { headers: { 'x-request-id': 'bad-url' } });
      expectProblem(res, 400);
      expect(res.headers.get('x-request-id')).toBe('bad-url');
    });
  });

  describe('errors from services', () => {
    it('passes a ProblemError on with its status, detail and extension members', async () => {
      identity.failure = new ConflictError('Email already registered', { email: 'ada@example.com' });
      const res = await gw.api('POST', '/api/v1/auth/register', {
        body: {
          firstname: 'Ada',
          surname: 'Lovelace',
          email: 'ada@example.com',
          password: 'Correct-Horse-9',
          phone_number: '+263771234567',
          street_address: '1 Engine Road',
        },
      });
      expectProblem(res, 409);
      expect(res.body).toEqual({
        type: 'urn:ticketpro:problem:conflict',
        title: 'Conflict',
        status: 409,
        detail: 'Email already registered',
        instance: '/api/v1/auth/register',
        email: 'ada@example.com',
      });
    });

    it('passes the field errors of a service 422 on', async () => {
      identity.failure = new ProblemError('validation-error', 'Password is too common', {
        errors: [{ field: 'password', message: 'is too common (rule: common)' }],
      });
      const res = await refresh();
      expectProblem(res, 422);
      expect(res.body).toMatchObject({
        detail: 'Password is too common',
        errors: [{ field: 'password', message: 'is too common (rule: common)' }],
      });
    });

    it('turns a service 401 into a Bearer challenge', async () => {
      identity.failure = new ProblemError('unauthorized', 'Refresh token was already used');
      const res = await refresh();
      expectProblem(res, 401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body.detail).toBe('Refresh token was already used');
    });

    it("maps Moleculer's ValidationError to 422, keeping field and message only", async () => {
      identity.failure = new Errors.ValidationError('Parameters validation error!', 'VALIDATION_ERROR', [
        { field: 'refresh_token', message: 'must be string', type: 'string', actual: 5 },
      ]);
      const res = await refresh();
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([{ field: 'refresh_token', message: 'must be string' }]);
      expect(res.body.detail).toBe('Invalid request: refresh_token must be string');
    });

    it('answers 503 with Retry-After, not 404, when the service is not running', async () => {
      const lonely = await startGateway([]);
      try {
        const res = await lonely.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'r1' } });
        expectProblem(res, 503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(res.body.type).toBe('urn:ticketpro:problem:service-unavailable');
      } finally {
        await lonely.close();
      }
    });

    it.each([
      ['a request timeout', new Errors.RequestTimeoutError({ action: 'identity.refresh', nodeID: 'n1' })],
      ['a full queue', new Errors.QueueIsFullError({ action: 'identity.refresh', nodeID: 'n1' })],
    ])('answers 503 for %s', async (_what, error) => {
      identity.failure = error;
      const res = await refresh();
      expectProblem(res, 503);
      expect(res.headers.get('retry-after')).toBe('5');
    });

    it("answers 503 with Retry-After when the service's Postgres has no connection left (53300)", async () => {
      // Shaped as pg raises it; the service kit's middleware turns it into the problem the gateway maps.
      // A gateway of its own: the refresh route's rate limit leaves the shared one no request to spare.
      const message = 'sorry, too many clients already';
      const crowded = new IdentityStandIn();
      crowded.failure = Object.assign(new Error(message), { code: '53300', severity: 'FATAL' });
      const own = await startGateway([crowded.schema()]);
      try {
        const res = await own.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'r1' } });
        expectProblem(res, 503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(res.body.type).toBe('urn:ticketpro:problem:service-unavailable');
        expect(JSON.stringify(res.body)).not.toContain(message);
      } finally {
        await own.close();
      }
    });

    it('answers 500 for anything else, without internals', async () => {
      const failure = new Error('connection to db-internal:5432 refused');
      failure.stack = 'Error: at /srv/identity/secret.ts:12';
      identity.failure = failure;
      const res = await refresh();
      expectProblem(res, 500);
      expect(res.body).toEqual({
        type: 'urn:ticketpro:problem:internal',
        title: 'Internal Server Error',
        status: 500,
        detail: 'An unexpected error occurred; it has been logged',
        instance: '/api/v1/auth/refresh',
      });
      expect(JSON.stringify(res.body)).not.toMatch(/db-internal|secret\.ts/);
    });
  });
});
