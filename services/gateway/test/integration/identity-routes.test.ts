import { UnauthorizedError } from '@ticketpro/shared';
import { SAMPLE_REGISTRATION, SAMPLE_TOKEN, IdentityStandIn, startGateway, type Gateway } from '../support/gateway';
import { expectProblem } from '@ticketpro/shared/testing';

/** Each /api/v1 route calls its identity action with the params and meta the contract fixes. */
describe('gateway: identity routes', () => {
  const identity = new IdentityStandIn();
  const [key] = identity.signingKeys;
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway([identity.schema()]);
  });
  afterAll(() => gw.close());

  const registration = { ...SAMPLE_REGISTRATION, role: 'organizer' };

  it('registers: 201 with the token, the body passed as params', async () => {
    const res = await gw.api('POST', '/api/v1/auth/register', { body: registration });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(SAMPLE_TOKEN);
    expect(identity.lastCall('identity.register').params).toEqual(registration);
  });

  it('refuses admin as a self-chosen role', async () => {
    const res = await gw.api('POST', '/api/v1/auth/register', { body: { ...registration, role: 'admin' } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'role', message: 'must be one of: user, organizer' }]);
  });

  it.each([
    ['JSON with email', { body: { email: 'ada@example.com', password: 'pw' } }],
    ['JSON with username', { body: { username: 'ada@example.com', password: 'pw' } }],
    [
      'the OAuth2 form',
      {
        form: { grant_type: 'password', username: 'ada@example.com', password: 'pw', scope: '', client_id: 'swagger' },
      },
    ],
  ])('logs in with %s, passing only email and password', async (_how, request) => {
    const res = await gw.api('POST', '/api/v1/auth/login', request);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(SAMPLE_TOKEN);
    expect(identity.lastCall('identity.login').params).toEqual({ email: 'ada@example.com', password: 'pw' });
  });

  it('answers 422 for a login naming neither email nor username, or with a foreign grant type', async () => {
    const missing = await gw.api('POST', '/api/v1/auth/login', { body: { password: 'pw' } });
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toContain('email or username is required');
    const grant = await gw.api('POST', '/api/v1/auth/login', {
      form: { grant_type: 'client_credentials', username: 'a', password: 'pw' },
    });
    expect(grant.status).toBe(422);
  });

  it('refreshes and logs out with the refresh token; logout answers 204 with no body', async () => {
    expect((await gw.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'r1' } })).body).toEqual(
      SAMPLE_TOKEN,
    );
    expect(identity.lastCall('identity.refresh').params).toEqual({ refresh_token: 'r1' });
    const out = await gw.api('POST', '/api/v1/auth/logout', { body: { refresh_token: 'r2' } });
    expect(out.status).toBe(204);
    expect(out.body).toBe('');
    expect(identity.lastCall('identity.logout').params).toEqual({ refresh_token: 'r2' });
  });

  it('hands a refresh or logout with an access token (or any long string) to identity, which answers it 401', async () => {
    const accessToken = key.sign({ sub: '42', role: 'user', jti: 'x'.repeat(300) });
    expect(accessToken.length).toBeGreaterThan(200);
    for (const action of ['refresh', 'logout'] as const) {
      identity.failure = new UnauthorizedError('Invalid refresh token');
      try {
        const res = await gw.api('POST', `/api/v1/auth/${action}`, { body: { refresh_token: accessToken } });
        expectProblem(res, 401);
        expect(res.body.detail).toBe('Invalid refresh token');
      } finally {
        identity.failure = undefined;
      }
      expect(identity.lastCall(`identity.${action}`).params).toEqual({ refresh_token: accessToken });
    }
  });

  it('tells caches to keep no answer of /auth: tokens, errors and the account alike', async () => {
    const answers = [
      await gw.api('POST', '/api/v1/auth/register', { body: registration }),
      await gw.api('POST', '/api/v1/auth/login', { body: { email: 'ada@example.com', password: 'pw' } }),
      await gw.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'r1' } }),
      await gw.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 5 } }),
      await gw.api('GET', '/api/v1/auth/me', { token: key.sign() }),
    ];
    for (const res of answers) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('pragma')).toBe('no-cache');
    }
    expect(answers.map((res) => res.status)).toEqual([201, 200, 200, 422, 200]);
  });

  it('answers me with the caller in meta and no params', async () => {
    const res = await gw.api('GET', '/api/v1/auth/me', { token: key.sign({ sub: '42', role: 'user' }) });
    expect(res.status).toBe(200);
    const call = identity.lastCall('identity.me');
    expect(call.params).toEqual({});
    expect(call.meta.user).toEqual({ id: 42, role: 'user' });
  });

  it('lists users with default paging and the filters', async () => {
    const token = key.sign({ role: 'admin', sub: '1' });
    const res = await gw.api('GET', '/api/v1/users', { token });
    expect(res.status).toBe(200);
    expect(identity.lastCall('identity.users.list').params).toEqual({ skip: 0, limit: 20 });
    expect(res.body.items[0]).not.toHaveProperty('password_hash');
    expect(res.body).toMatchObject({ total: 1, skip: 0, limit: 20, has_next: false, has_prev: false });

    await gw.api('GET', '/api/v1/users?role=organizer&search=ada', { token });
    expect(identity.lastCall('identity.users.list').params).toEqual({
      skip: 0,
      limit: 20,
      role: 'organizer',
      search: 'ada',
    });
    expect((await gw.api('GET', '/api/v1/users?role=superuser', { token })).status).toBe(422);
    expect((await gw.api('GET', '/api/v1/users?sort=name', { token })).status).toBe(422);
  });

  it('gets, updates and deletes a user by numeric id', async () => {
    const token = key.sign();
    const got = await gw.api('GET', '/api/v1/users/42', { token });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('password_hash');
    expect(identity.lastCall('identity.users.get').params).toEqual({ id: 42 });

    const updated = await gw.api('PUT', '/api/v1/users/42', { token, body: { firstname: 'Augusta', active: false } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: 42, firstname: 'Augusta', active: false });
    expect(identity.lastCall('identity.users.update').params).toEqual({ id: 42, firstname: 'Augusta', active: false });

    const deleted = await gw.api('DELETE', '/api/v1/users/42', { token });
    expect(deleted.status).toBe(204);
    expect(identity.lastCall('identity.users.delete').params).toEqual({ id: 42 });
  });

  it('refuses an update that changes nothing or names a field users cannot set', async () => {
    const token = key.sign();
    for (const body of [{}, { email: 'new@example.com' }, { id: 7 }, { firstname: 42 }]) {
      expect((await gw.api('PUT', '/api/v1/users/42', { token, body })).status).toBe(422);
    }
  });

  it('requires a token on every users route', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/users'],
      ['GET', '/api/v1/users/1'],
      ['PUT', '/api/v1/users/1'],
      ['DELETE', '/api/v1/users/1'],
    ]) {
      expect((await gw.api(method, path, { body: method === 'PUT' ? { firstname: 'X' } : undefined })).status).toBe(
        401,
      );
    }
  });
});
