import { startCluster, type Cluster } from '../support/cluster';
import { login, register, type Registered } from '../support/users';
import { expectProblem } from '@ticketpro/shared/testing';

jest.setTimeout(120_000);

const ADMIN = { email: 'admin@ticketpro.test', password: 'Admin-Passw0rd-Strong' };

let cluster: Cluster;
let admin: { access: string; refresh: string };
let alice: Registered;
let bob: Registered;

beforeAll(async () => {
  // LOG_LEVEL info: the request-id test reads the services' log lines.
  cluster = await startCluster('e2e_users', {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'info',
  });
  // A second identity instance starting against the same database: the admin must still be one.
  await cluster.startService('identity');
  admin = await login(cluster.api, ADMIN.email, ADMIN.password);
  alice = await register(cluster.api, { firstname: 'Alice', surname: 'Chikore' });
  bob = await register(cluster.api, { firstname: 'Bob', surname: 'Ndlovu', role: 'organizer' });
});
afterAll(async () => {
  await cluster?.stop();
});

const api = (...args: Parameters<Cluster['api']>) => cluster.api(...args);

describe('GET /users', () => {
  it('lists users for an admin, paginated', async () => {
    const res = await api('GET', '/api/v1/users?limit=2', { token: admin.access });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ skip: 0, limit: 2, has_prev: false });
    expect(res.body.items).toHaveLength(2);
    expect(res.body.total).toBeGreaterThanOrEqual(3);
    expect(res.body.has_next).toBe(res.body.total > 2);
    const next = await api('GET', '/api/v1/users?skip=2&limit=2', { token: admin.access });
    expect(next.body.has_prev).toBe(true);
    expect(next.body.items.map((u: { id: number }) => u.id)).not.toContain(res.body.items[0].id);
  });

  it('has exactly one bootstrap admin although two identity instances started', async () => {
    const res = await api('GET', '/api/v1/users?role=admin', { token: admin.access });
    expect(res.body.total).toBe(1);
    expect(res.body.items[0].email).toBe(ADMIN.email);
  });

  it('filters by role and by search over names and email', async () => {
    const organizers = await api('GET', '/api/v1/users?role=organizer', { token: admin.access });
    expect(organizers.body.items.map((u: { id: number }) => u.id)).toContain(bob.id);
    expect(organizers.body.items.every((u: { role: string }) => u.role === 'organizer')).toBe(true);
    const byName = await api('GET', '/api/v1/users?search=chikore', { token: admin.access });
    expect(byName.body.items.map((u: { id: number }) => u.id)).toEqual([alice.id]);
    const byEmail = await api('GET', `/api/v1/users?search=${encodeURIComponent(bob.email.toUpperCase())}`, {
      token: admin.access,
    });
    expect(byEmail.body.items.map((u: { id: number }) => u.id)).toEqual([bob.id]);
    const wildcard = await api('GET', '/api/v1/users?search=%25', { token: admin.access });
    expect(wildcard.body.total).toBe(0);
  });

  it('refuses plain users and organizers (403) and anonymous callers (401)', async () => {
    expectProblem(await api('GET', '/api/v1/users', { token: alice.access }), 403);
    expectProblem(await api('GET', '/api/v1/users', { token: bob.access }), 403);
    expectProblem(await api('GET', '/api/v1/users'), 401);
  });

  it('validates the query: limit over 100, negative skip, unknown role', async () => {
    for (const query of ['limit=101', 'limit=0', 'skip=-1', 'role=superuser', 'limit=abc']) {
      expectProblem(await api('GET', `/api/v1/users?${query}`, { token: admin.access }), 422);
    }
  });
});

describe('GET /users/{id}', () => {
  it('shows a user to themselves and to an admin', async () => {
    const self = await api('GET', `/api/v1/users/${alice.id}`, { token: alice.access });
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ id: alice.id, email: alice.email, firstname: 'Alice' });
    const byAdmin = await api('GET', `/api/v1/users/${alice.id}`, { token: admin.access });
    expect(byAdmin.body.id).toBe(alice.id);
  });

  it('hides another user behind 404 (no BOLA)', async () => {
    const res = await api('GET', `/api/v1/users/${alice.id}`, { token: bob.access });
    expectProblem(res, 404);
    expect(JSON.stringify(res.body)).not.toContain(alice.email);
  });

  it('answers 404 for a missing user and 422 for a malformed id', async () => {
    expectProblem(await api('GET', '/api/v1/users/999999', { token: admin.access }), 404);
    expectProblem(await api('GET', '/api/v1/users/abc', { token: admin.access }), 422);
    expectProblem(await api('GET', '/api/v1/users/0', { token: admin.access }), 422);
  });
});

describe('PUT /users/{id}', () => {
  it('lets a user change their own profile', async () => {
    const res = await api('PUT', `/api/v1/users/${alice.id}`, {
      token: alice.access,
      body: { street_address: '7 Jason Moyo Ave, Bulawayo', phone_number: '(077) 987-6543' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ street_address: '7 Jason Moyo Ave, Bulawayo', phone_number: '0779876543' });
    expect(new Date(res.body.updated_at).getTime()).toBeGreaterThan(new Date(res.body.created_at).getTime());
  });

  it('refuses self role escalation and self (re)activation with 403', async () => {
    expectProblem(await api('PUT', `/api/v1/users/${alice.id}`, { token: alice.access, body: { role: 'admin' } }), 403);
    expectProblem(await api('PUT', `/api/v1/users/${bob.id}`, { token: bob.access, body: { active: true } }), 403);
    const after = await api('GET', `/api/v1/users/${alice.id}`, { token: alice.access });
    expect(after.body.role).toBe('user');
  });

  it('hides other users from updates (404) and leaves them unchanged', async () => {
    expectProblem(
      await api('PUT', `/api/v1/users/${alice.id}`, { token: bob.access, body: { firstname: 'Mallory' } }),
      404,
    );
    const after = await api('GET', `/api/v1/users/${alice.id}`, { token: admin.access });
    expect(after.body.firstname).toBe('Alice');
  });

  it('refuses unknown and server-owned fields, and an empty change', async () => {
    for (const body of [{ email: 'new@example.com' }, { is_verified: true }, { id: 1 }, {}]) {
      expectProblem(await api('PUT', `/api/v1/users/${alice.id}`, { token: alice.access, body }), 422);
    }
  });

  it('lets an admin change role and active; a deactivated user cannot log in or refresh', async () => {
    const carol = await register(api);
    const promoted = await api('PUT', `/api/v1/users/${carol.id}`, {
      token: admin.access,
      body: { role: 'organizer' },
    });
    expect(promoted.body.role).toBe('organizer');
    const deactivated = await api('PUT', `/api/v1/users/${carol.id}`, { token: admin.access, body: { active: false } });
    expect(deactivated.body.active).toBe(false);
    const loginRes = await api('POST', '/api/v1/auth/login', {
      body: { email: carol.email, password: carol.password },
    });
    expect([401, 403]).toContain(loginRes.status);
    expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: carol.refresh } }), 401);
  });
});

describe('DELETE /users/{id}', () => {
  it('hides other users from deletion (404)', async () => {
    expectProblem(await api('DELETE', `/api/v1/users/${alice.id}`, { token: bob.access }), 404);
    expect((await api('GET', `/api/v1/users/${alice.id}`, { token: alice.access })).status).toBe(200);
  });

  it('lets an admin soft-delete a user, who then vanishes from reads', async () => {
    const dave = await register(api, { surname: 'Zvobgo' });
    expect((await api('DELETE', `/api/v1/users/${dave.id}`, { token: admin.access })).status).toBe(204);
    expectProblem(await api('GET', `/api/v1/users/${dave.id}`, { token: admin.access }), 404);
    const listed = await api('GET', '/api/v1/users?search=zvobgo', { token: admin.access });
    expect(listed.body.total).toBe(0);
    expectProblem(await api('DELETE', `/api/v1/users/${dave.id}`, { token: admin.access }), 404);
    expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: dave.refresh } }), 401);
  });
});

describe('request ids', () => {
  it('carries the client request id into the service logs', async () => {
    const requestId = `trace-${Date.now()}`;
    const res = await api('GET', `/api/v1/users/999998`, {
      token: admin.access,
      headers: { 'x-request-id': requestId },
    });
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const identityLogs = () =>
      cluster.processes
        .filter((p) => p.name === 'identity')
        .map((p) => p.output())
        .join('\n');
    // The log line travels through a pipe and may arrive just after the response.
    for (let i = 0; i < 50 && !identityLogs().includes(requestId); i++) await new Promise((r) => setTimeout(r, 100));
    const line = identityLogs()
      .split('\n')
      .find((l) => l.includes(requestId));
    expect(line && JSON.parse(line)).toMatchObject({ requestId, action: 'identity.users.get', code: 404 });
  });
});
