import { startCluster, type Cluster } from '../support/cluster';
import { base64url, login, newUserBody, register, GOOD_PASSWORD } from '../support/users';
import { expectProblem } from '@ticketpro/shared/testing';

jest.setTimeout(120_000);

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster('e2e_auth');
});
afterAll(async () => {
  await cluster?.stop();
});

const api = (...args: Parameters<Cluster['api']>) => cluster.api(...args);

describe('POST /auth/register', () => {
  it('creates a user and answers 201 with a token pair', async () => {
    const body = newUserBody({ role: 'organizer' });
    const res = await api('POST', '/api/v1/auth/register', { body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 900,
    });
    const me = await api('GET', '/api/v1/auth/me', { token: res.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: body.email, role: 'organizer', active: true, is_verified: false });
    expect(me.body.phone_number).toBe('+263771234567');
    expect(me.body).not.toHaveProperty('password');
    expect(me.body).not.toHaveProperty('password_hash');
    expect(Object.keys(me.body).sort()).toEqual(
      [
        'active',
        'created_at',
        'email',
        'firstname',
        'id',
        'is_verified',
        'phone_number',
        'role',
        'street_address',
        'surname',
        'updated_at',
      ].sort(),
    );
  });

  it('defaults the role to user', async () => {
    const user = await register(api);
    const me = await api('GET', '/api/v1/auth/me', { token: user.access });
    expect(me.body.role).toBe('user');
  });

  it.each([
    ['Short1a', 'must be 8-128 characters'],
    ['alllowercase1', 'uppercase'],
    ['ALLUPPERCASE1', 'lowercase'],
    ['NoDigitsHere', 'digit'],
    ['Password1', 'common'],
    ['Qwerty123', 'common'],
  ])('refuses the password %s naming the rule (%s)', async (password, rule) => {
    const res = await api('POST', '/api/v1/auth/register', { body: newUserBody({ password }) });
    expectProblem(res, 422);
    const messages = (res.body.errors as { field: string; message: string }[]).filter((e) => e.field === 'password');
    expect(messages.map((e) => e.message).join(' ')).toContain(rule);
  });

  it.each([
    ['email', 'not-an-email'],
    ['email', 'two@@example.com'],
    ['phone_number', '12345'],
    ['phone_number', '+263 77 123 4567 890 12'],
    ['phone_number', 'call me maybe'],
    ['street_address', 'Abc'],
    ['firstname', ''],
  ])('refuses %s = %j with 422 naming the field', async (field, value) => {
    const res = await api('POST', '/api/v1/auth/register', { body: newUserBody({ [field]: value }) });
    expectProblem(res, 422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses unknown and server-owned fields', async () => {
    for (const extra of [{ is_admin: true }, { id: 5 }, { is_verified: true }]) {
      const res = await api('POST', '/api/v1/auth/register', { body: newUserBody(extra) });
      expectProblem(res, 422);
      expect(res.body.errors[0].field).toBe(Object.keys(extra)[0]);
    }
  });

  it('never lets a client register as admin', async () => {
    const res = await api('POST', '/api/v1/auth/register', { body: newUserBody({ role: 'admin' }) });
    expectProblem(res, 422);
  });

  it('answers 409 for an email already registered in another letter case', async () => {
    const first = newUserBody();
    expect((await api('POST', '/api/v1/auth/register', { body: first })).status).toBe(201);
    const again = await api('POST', '/api/v1/auth/register', {
      body: newUserBody({ email: first.email.toUpperCase() }),
    });
    expectProblem(again, 409);
    expect(again.body.detail).toBe('Email already registered');
  });

  it('registers one of two simultaneous registrations of one email', async () => {
    const body = newUserBody();
    const results = await Promise.all([1, 2, 3].map(() => api('POST', '/api/v1/auth/register', { body })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await api('POST', '/api/v1/auth/register', { raw: '{"email": ' });
    expectProblem(res, 400);
  });
});

describe('POST /auth/login', () => {
  it('logs in with JSON email, JSON username and the OAuth2 form', async () => {
    const user = await register(api);
    const byEmail = await api('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.token_type).toBe('bearer');
    const byUsername = await api('POST', '/api/v1/auth/login', {
      body: { username: user.email.toUpperCase(), password: user.password },
    });
    expect(byUsername.status).toBe(200);
    const form = await api('POST', '/api/v1/auth/login', {
      form: { grant_type: 'password', username: user.email, password: user.password, scope: '' },
    });
    expect(form.status).toBe(200);
    const me = await api('GET', '/api/v1/auth/me', { token: form.body.access_token });
    expect(me.body.id).toBe(user.id);
  });

  it('answers the same 401 for a wrong password and an unknown email', async () => {
    const user = await register(api);
    const wrong = await api('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: 'Wrong-Password-1' },
    });
    const unknown = await api('POST', '/api/v1/auth/login', {
      body: { email: 'nobody@example.com', password: GOOD_PASSWORD },
    });
    expectProblem(wrong, 401);
    expectProblem(unknown, 401);
    expect(wrong.body.detail).toBe('Incorrect email or password');
    expect(unknown.body.detail).toBe(wrong.body.detail);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('answers 422 without email or username', async () => {
    expectProblem(await api('POST', '/api/v1/auth/login', { body: { password: 'x' } }), 422);
  });
});

describe('tokens', () => {
  it('refuses requests without a token, with a tampered token and with alg none', async () => {
    const user = await register(api);
    const anonymous = await api('GET', '/api/v1/auth/me');
    expectProblem(anonymous, 401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const [header, payload, signature] = user.access.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const tampered = `${header}.${base64url({ ...claims, role: 'admin' })}.${signature}`;
    expectProblem(await api('GET', '/api/v1/users', { token: tampered }), 401);

    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, role: 'admin' })}.`;
    expectProblem(await api('GET', '/api/v1/users', { token: unsigned }), 401);

    expectProblem(await api('GET', '/api/v1/auth/me', { token: 'not.a.jwt' }), 401);
  });

  it('rotates refresh tokens: each is single-use and reuse revokes the family', async () => {
    const user = await register(api);
    const first = await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: user.refresh } });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(user.refresh);
    const me = await api('GET', '/api/v1/auth/me', { token: first.body.access_token });
    expect(me.body.id).toBe(user.id);

    // The original token again: reuse. It fails, and so does the token it was swapped for.
    const reused = await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: user.refresh } });
    expectProblem(reused, 401);
    const descendant = await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.body.refresh_token } });
    expectProblem(descendant, 401);

    // Another login is another family, untouched.
    const other = await login(api, user.email, user.password);
    expect((await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: other.refresh } })).status).toBe(200);
  });

  it('gives one new pair when the same refresh token is presented twice at once', async () => {
    const user = await register(api);
    const results = await Promise.all(
      [1, 2].map(() => api('POST', '/api/v1/auth/refresh', { body: { refresh_token: user.refresh } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('refuses an unknown refresh token', async () => {
    expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'made-up-token' } }), 401);
    expectProblem(await api('POST', '/api/v1/auth/refresh', { body: {} }), 422);
  });

  it('logs out: the refresh token stops working', async () => {
    const user = await register(api);
    const out = await api('POST', '/api/v1/auth/logout', { body: { refresh_token: user.refresh } });
    expect(out.status).toBe(204);
    expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: user.refresh } }), 401);
  });
});

describe('deleted accounts', () => {
  it('cannot log in or refresh after deleting themselves', async () => {
    const user = await register(api);
    const deleted = await api('DELETE', `/api/v1/users/${user.id}`, { token: user.access });
    expect(deleted.status).toBe(204);
    const again = await api('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expectProblem(again, 401);
    expect(again.body.detail).toBe('Incorrect email or password');
    expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: user.refresh } }), 401);
    expectProblem(await api('GET', '/api/v1/auth/me', { token: user.access }), 401);
  });
});

describe('rate limits', () => {
  // TRUST_PROXY lets the test speak for several client addresses through X-Forwarded-For.
  let limited: Awaited<ReturnType<Cluster['startGateway']>>;
  beforeAll(async () => {
    limited = await cluster.startGateway({
      RATE_LIMIT_LOGIN: '3',
      RATE_LIMIT_LOGIN_FAILURES: '2',
      TRUST_PROXY: 'true',
    });
  });
  const attempt = (ip: string, email: string, password: string) =>
    limited.api('POST', '/api/v1/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': ip } });

  it('answers 429 with Retry-After after failed logins for one account from one address, there only', async () => {
    const user = await register(api);
    expect((await attempt('203.0.113.1', user.email, 'Wrong-Guess-1')).status).toBe(401);
    expect((await attempt('203.0.113.1', user.email.toUpperCase(), 'Wrong-Guess-2')).status).toBe(401);
    const blocked = await attempt('203.0.113.1', user.email, user.password);
    expectProblem(blocked, 429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The owner elsewhere is not locked out, and successes from many addresses lock no one out.
    for (const ip of ['203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5']) {
      expect((await attempt(ip, user.email, user.password)).status).toBe(200);
    }
  });

  it('answers 429 after the per-address login limit, whatever the account', async () => {
    const ip = '198.51.100.7';
    for (let i = 0; i < 3; i++) {
      expect((await attempt(ip, `nobody${i}@example.com`, GOOD_PASSWORD)).status).toBe(401);
    }
    expectProblem(await attempt(ip, 'nobody-else@example.com', GOOD_PASSWORD), 429);
    // Limits are per gateway: the cluster's main gateway still answers this account.
    expect(
      (await api('POST', '/api/v1/auth/login', { body: { email: 'nobody-else@example.com', password: GOOD_PASSWORD } }))
        .status,
    ).toBe(401);
  });
});

describe('operations', () => {
  it('reports every service healthy and echoes the request id', async () => {
    const res = await api('GET', '/health', { headers: { 'x-request-id': 'e2e-health-1' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      services: {
        identity: 'ok',
        catalog: 'ok',
        ordering: 'ok',
        ticketing: 'ok',
        notifications: 'ok',
        reporting: 'ok',
      },
    });
    expect(res.headers.get('x-request-id')).toBe('e2e-health-1');
  });

  it('answers 404 problem+json for an unknown route', async () => {
    expectProblem(await api('GET', '/api/v1/nowhere'), 404);
  });

  it('serves the OpenAPI document, and no metrics on the API port (they are on OPS_PORT)', async () => {
    const doc = await api('GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/users/{id}']));
    expectProblem(await api('GET', '/metrics'), 404);
  });
});
