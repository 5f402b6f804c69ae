import { startCluster, type Cluster } from '../support/cluster';
import { embeddedNode, type EmbeddedNode } from '../support/embedded';
import { freePort } from '../support/processes';
import { connectRaw, postHead, staysOpen, trickle } from '../support/raw-http';
import { createEvent, createTicketType } from '../support/sales';
import { login, newUserBody, register, type Registered } from '../support/users';
import { expectPreflightAllowsApiCalls, type Api, expectProblem } from '@ticketpro/shared/testing';

jest.setTimeout(240_000);

/**
 * The access findings of issue 11's adversarial probe, reproduced against the real processes:
 * each test here failed before its fix. Distributed mode (separate processes over NATS, several
 * gateways), and embedded mode (`npm start`) where the behaviour differs.
 */

const ADMIN = { email: 'admin@hardening.test', password: 'Admin-Passw0rd-Strong' };
const DAY_MS = 24 * 60 * 60 * 1000;
/** The finding's bound: a revoked token must stop working within this. */
const REVOCATION_BOUND_MS = 1000;

type Gateway = Awaited<ReturnType<Cluster['startGateway']>>;

/**
 * Polls an authenticated route that trusts the token alone (ordering's order list) until it
 * answers 401 for a revoked token; resolves to how long that took.
 */
async function refusedAfter(api: Api, token: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    const res = await api('GET', '/api/v1/orders', { token });
    if (res.status === 401) {
      expect(res.body.detail).toBe('Token has been revoked');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
      return Date.now() - started;
    }
    expect(res.status).toBe(200);
    if (Date.now() - started > 10_000) throw new Error('the token was still taken after 10 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const eventBody = (overrides: Record<string, unknown> = {}) => ({
  event_name: `Hardening Night ${Math.random().toString(36).slice(2)}`,
  description: 'Mbira and marimba until late, under the stars',
  location: 'Harare Gardens',
  date: new Date(Date.now() + 30 * DAY_MS).toISOString(),
  ...overrides,
});

describe('distributed mode', () => {
  let cluster: Cluster;
  let admin: { access: string; refresh: string };
  /** A second gateway beside the cluster's: revocations must reach every instance. */
  let second: Gateway;
  /**
   * A gateway with low limits and short timeouts, client addresses taken from X-Forwarded-For,
   * and its metrics on an ops port of its own.
   */
  let strict: Gateway;
  let strictOpsPort: number;

  beforeAll(async () => {
    cluster = await startCluster('e2e_hardening_access', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    strictOpsPort = await freePort();
    [second, strict] = await Promise.all([
      cluster.startGateway(),
      cluster.startGateway({
        TRUST_PROXY: 'true',
        RATE_LIMIT_LOGIN: '10',
        RATE_LIMIT_LOGIN_FAILURES: '3',
        RATE_LIMIT_REGISTER: '2',
        RATE_LIMIT_WRITES: '5',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        OPS_PORT: String(strictOpsPort),
      }),
    ]);
    admin = await login(cluster.api, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const api = (...args: Parameters<Cluster['api']>) => cluster.api(...args);
  const gateways = () => [cluster.api, second.api];

  describe('1. access tokens outlive the account', () => {
    it("refuses a deleted user's token everywhere within a second: no order placed, no payment", async () => {
      const organizer = await register(api, { role: 'organizer' });
      const event = await createEvent(api, organizer.access);
      const type = await createTicketType(api, organizer.access, event.id);
      const buyer = await register(api);
      const order = await api('POST', '/api/v1/orders', {
        token: buyer.access,
        body: { event_id: event.id, payment_method: 'cash', items: [{ ticket_type_id: type.id, quantity: 1 }] },
      });
      expect(order.status).toBe(201);
      for (const gw of gateways())
        expect((await gw('GET', '/api/v1/orders', { token: buyer.access })).status).toBe(200);

      expect((await api('DELETE', `/api/v1/users/${buyer.id}`, { token: buyer.access })).status).toBe(204);
      const delays = await Promise.all(gateways().map((gw) => refusedAfter(gw, buyer.access)));
      for (const delay of delays) expect(delay).toBeLessThan(REVOCATION_BOUND_MS);

      const again = await api('POST', '/api/v1/orders', {
        token: buyer.access,
        body: { event_id: event.id, payment_method: 'cash', items: [{ ticket_type_id: type.id, quantity: 1 }] },
      });
      expectProblem(again, 401);
      expectProblem(await second.api('POST', `/api/v1/orders/${order.body.id}/pay`, { token: buyer.access }), 401);
    });

    it('refuses the old token of an organizer an admin demoted, then deactivated; the refreshed one has the new role', async () => {
      const organizer = await register(api, { role: 'organizer' });
      expect((await second.api('POST', '/api/v1/events', { token: organizer.access, body: eventBody() })).status).toBe(
        201,
      );

      const demoted = await api('PUT', `/api/v1/users/${organizer.id}`, {
        token: admin.access,
        body: { role: 'user' },
      });
      expect(demoted.status).toBe(200);
      const delays = await Promise.all(gateways().map((gw) => refusedAfter(gw, organizer.access)));
      for (const delay of delays) expect(delay).toBeLessThan(REVOCATION_BOUND_MS);
      expectProblem(await second.api('POST', '/api/v1/events', { token: organizer.access, body: eventBody() }), 401);

      // Signed right after the revocation (most likely within the same second): taken, as a user.
      const refreshed = await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: organizer.refresh } });
      expect(refreshed.status).toBe(200);
      expect((await second.api('GET', '/api/v1/orders', { token: refreshed.body.access_token })).status).toBe(200);
      expectProblem(
        await second.api('POST', '/api/v1/events', { token: refreshed.body.access_token, body: eventBody() }),
        403,
      );

      await api('PUT', `/api/v1/users/${organizer.id}`, { token: admin.access, body: { active: false } });
      for (const delay of await Promise.all(gateways().map((gw) => refusedAfter(gw, refreshed.body.access_token)))) {
        expect(delay).toBeLessThan(REVOCATION_BOUND_MS);
      }
      expectProblem(
        await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: refreshed.body.refresh_token } }),
        401,
      );
    });

    it('ends the access tokens of a sign-in at logout, and only those', async () => {
      const user = await register(api);
      const other = await login(api, user.email, user.password);
      expect((await api('POST', '/api/v1/auth/logout', { body: { refresh_token: user.refresh } })).status).toBe(204);
      for (const delay of await Promise.all(gateways().map((gw) => refusedAfter(gw, user.access)))) {
        expect(delay).toBeLessThan(REVOCATION_BOUND_MS);
      }
      for (const gw of gateways())
        expect((await gw('GET', '/api/v1/orders', { token: other.access })).status).toBe(200);
    });

    it('ends the access tokens of a sign-in whose refresh token was replayed', async () => {
      const user = await register(api);
      const next = await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: user.refresh } });
      expect(next.status).toBe(200);
      expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: user.refresh } }), 401);
      for (const token of [user.access, next.body.access_token]) {
        for (const delay of await Promise.all(gateways().map((gw) => refusedAfter(gw, token)))) {
          expect(delay).toBeLessThan(REVOCATION_BOUND_MS);
        }
      }
    });

    it('has a gateway that starts after the revocations refuse those tokens too', async () => {
      const deleted = await register(api);
      const loggedOut = await register(api);
      const kept = await register(api);
      await api('DELETE', `/api/v1/users/${deleted.id}`, { token: deleted.access });
      await api('POST', '/api/v1/auth/logout', { body: { refresh_token: loggedOut.refresh } });
      await refusedAfter(cluster.api, deleted.access);
      await refusedAfter(cluster.api, loggedOut.access);

      const late = await cluster.startGateway();
      expectProblem(await late.api('GET', '/api/v1/orders', { token: deleted.access }), 401);
      expectProblem(await late.api('GET', '/api/v1/orders', { token: loggedOut.access }), 401);
      expect((await late.api('GET', '/api/v1/orders', { token: kept.access })).status).toBe(200);
    });
  });

  describe('5. any account can be locked out', () => {
    const attempt = (ip: string, email: string, password: string) =>
      strict.api('POST', '/api/v1/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': ip } });

    it("lets the admin in from another address after ten wrong passwords from one; an attacker's address is locked", async () => {
      const answers = [];
      for (let i = 0; i < 10; i++)
        answers.push((await attempt('198.51.100.10', ADMIN.email, `Wrong-Guess-${i}`)).status);
      expect(answers).toEqual([401, 401, 401, ...Array(7).fill(429)]);
      expect((await attempt('198.51.100.11', ADMIN.email, ADMIN.password)).status).toBe(200);
      const locked = await attempt('198.51.100.10', ADMIN.email, ADMIN.password);
      expectProblem(locked, 429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('never locks a user out for their own successful logins', async () => {
      const user = await register(api);
      for (let i = 0; i < 12; i++)
        expect((await attempt(`203.0.113.${i + 1}`, user.email, user.password)).status).toBe(200);
    });
  });

  describe('6. one user floods the write path', () => {
    it('answers 429 with Retry-After beyond RATE_LIMIT_WRITES changes a minute, per user; reads go on', async () => {
      const flooder = await register(api, { role: 'organizer' });
      const other = await register(api, { role: 'organizer' });
      const post = (token: string) => strict.api('POST', '/api/v1/events', { token, body: eventBody() });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await post(flooder.access)).status);
      expect(statuses).toEqual([201, 201, 201, 201, 201]);
      const refused = await post(flooder.access);
      expectProblem(refused, 429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await strict.api('GET', '/api/v1/events?limit=1', { token: flooder.access })).status).toBe(200);
      expect((await post(other.access)).status).toBe(201);
    });
  });

  describe('7. 500 on bad input', () => {
    const LISTS = ['/api/v1/events', '/api/v1/tickets/types', '/api/v1/orders', '/api/v1/tickets', '/api/v1/users'];
    const NUL = 'must not contain NUL (U+0000) characters';

    it('answers 422 for skip=Infinity, 1e20, beyond bigint or beyond 1000000 on every list endpoint, and pages to 1000000', async () => {
      for (const path of LISTS) {
        for (const skip of ['Infinity', '1e20', '99999999999999999999', '1000001']) {
          const res = await api('GET', `${path}?skip=${skip}`, { token: admin.access });
          expectProblem(res, 422);
          expect(res.body.errors).toEqual([{ field: 'skip', message: 'must be <= 1000000' }]);
        }
        const deepest = await api('GET', `${path}?skip=1000000`, { token: admin.access });
        expect(deepest.status).toBe(200);
        expect(deepest.body).toMatchObject({ items: [], skip: 1000000 });
      }
    });

    it('answers 422 naming the filter for a %00 in search or location', async () => {
      for (const [path, field] of [
        ['/api/v1/events?search=a%00', 'search'],
        ['/api/v1/events?location=%00', 'location'],
        ['/api/v1/users?search=ad%00min', 'search'],
      ]) {
        const res = await api('GET', path, { token: admin.access });
        expectProblem(res, 422);
        expect(res.body.errors).toEqual([{ field, message: NUL }]);
      }
    });

    it('answers 422 naming the field for a NUL or an unpaired surrogate in a string field', async () => {
      const organizer = await register(api, { role: 'organizer' });
      const nul = await api('POST', '/api/v1/events', {
        token: organizer.access,
        body: eventBody({ description: 'Late\u0000night' }),
      });
      expectProblem(nul, 422);
      expect(nul.body.errors).toEqual([{ field: 'description', message: NUL }]);
      const lone = await api('POST', '/api/v1/events', {
        token: organizer.access,
        body: eventBody({ event_name: 'Mbira \ud83c Night' }),
      });
      expectProblem(lone, 422);
      expect(lone.body.errors).toEqual([
        { field: 'event_name', message: 'must not contain unpaired UTF-16 surrogates' },
      ]);
      // The same surrogate written out as bytes (WTF-8) was stored as U+FFFD, silently.
      const [head, tail] = JSON.stringify(eventBody({ event_name: 'Mbira @ Night' })).split('@');
      const bytes = await api('POST', '/api/v1/events', {
        token: organizer.access,
        raw: Buffer.concat([Buffer.from(head), Buffer.from([0xed, 0xa0, 0xbc]), Buffer.from(tail)]),
      });
      expectProblem(bytes, 422);
      expect(bytes.body.errors).toEqual([
        { field: '(body)', message: 'must be UTF-8: an unpaired surrogate or a byte that is no character' },
      ]);
      const registration = await api('POST', '/api/v1/auth/register', {
        body: newUserBody({ street_address: '12 Samora\u0000 Ave' }),
      });
      expectProblem(registration, 422);
      expect(registration.body.errors).toEqual([{ field: 'street_address', message: NUL }]);
      const profile = await api('PUT', `/api/v1/users/${organizer.id}`, {
        token: organizer.access,
        body: { firstname: '\u0000' },
      });
      expectProblem(profile, 422);
    });
  });

  describe('8. request bodies have no timeout', () => {
    it('answers 408 and closes the connection of a body trickled in, within the configured time', async () => {
      const client = await connectRaw(strict.baseUrl);
      const started = Date.now();
      client.socket.write(postHead('/api/v1/auth/refresh', 300));
      // One byte a second: the body would take five minutes.
      void trickle(client, `{"refresh_token":"${'x'.repeat(280)}"}`, 1000);
      const closedAt = await client.closed;
      expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedAt - started).toBeGreaterThanOrEqual(1800);
      expect(closedAt - started).toBeLessThan(8000);
    });

    it('caps the connections one address holds', async () => {
      const capped = await cluster.startGateway({ HTTP_MAX_CONNECTIONS_PER_ADDRESS: '3' });
      const clients = [];
      for (let i = 0; i < 6; i++) clients.push(await connectRaw(capped.baseUrl));
      try {
        const open = await Promise.all(clients.map((client) => staysOpen(client, 300)));
        // This process's HTTP client may still keep one idle connection of its own there.
        expect(open.filter(Boolean).length).toBeGreaterThanOrEqual(2);
        expect(open.filter(Boolean).length).toBeLessThanOrEqual(3);
        expect(open.slice(0, 2)).toEqual([true, true]);
        for (const client of clients.filter((_, i) => !open[i])) expect(client.received()).toBe('');
      } finally {
        for (const client of clients) client.socket.destroy();
      }
    });
  });

  describe('9. smaller findings', () => {
    it.each(['javascript:alert(document.cookie)', 'file:///etc/passwd', 'data:text/html,<script>alert(1)</script>'])(
      'refuses the event image %s',
      async (image) => {
        const organizer = await register(api, { role: 'organizer' });
        const res = await api('POST', '/api/v1/events', { token: organizer.access, body: eventBody({ image }) });
        expectProblem(res, 422);
        expect(res.body.errors).toEqual([
          { field: 'image', message: 'must be an http or https URL of at most 500 characters' },
        ]);
      },
    );

    it('tells caches to keep no token answer', async () => {
      const body = newUserBody();
      const answers = [
        await api('POST', '/api/v1/auth/register', { body }),
        await api('POST', '/api/v1/auth/login', { body: { email: body.email, password: body.password } }),
      ];
      answers.push(
        await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: answers[1].body.refresh_token } }),
      );
      for (const res of answers) {
        expect(res.status).toBeLessThan(300);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('pragma')).toBe('no-cache');
      }
    });

    it('lets a browser app on another origin PUT and DELETE with the headers the API reads', async () => {
      await expectPreflightAllowsApiCalls(`${cluster.baseUrl}/api/v1/orders/1`, 'https://app.example.com');
    });

    it('serves /metrics on the ops port only', async () => {
      expectProblem(await api('GET', '/metrics'), 404);
      expectProblem(await strict.api('GET', '/metrics'), 404);
      const res = await fetch(`http://127.0.0.1:${strictOpsPort}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('http_requests_total');
      expect(text).toContain('process_cpu_user_seconds_total');
    });

    it('sends the security headers with an error for a malformed path encoding', async () => {
      const res = await api('GET', '/api/v1/users/%E0%A4%A');
      expectProblem(res, 400);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    });

    it('answers 401, not 422, to an access token offered as a refresh token', async () => {
      const user = await register(api);
      expect(user.access.length).toBeGreaterThan(200);
      for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/logout']) {
        const res = await api('POST', path, { body: { refresh_token: user.access } });
        expectProblem(res, 401);
        expect(res.body.detail).toBe('Invalid refresh token');
      }
    });
  });

  describe('10. registration limit counts typos', () => {
    it('answers 422 to an invalid email or phone even after the limit is reached, and counts only valid bodies', async () => {
      const register = (body: Record<string, unknown>) =>
        strict.api('POST', '/api/v1/auth/register', { body, headers: { 'x-forwarded-for': '192.0.2.50' } });
      expectProblem(await register(newUserBody({ email: 'not-an-email' })), 422);
      expect((await register(newUserBody())).status).toBe(201);
      expect((await register(newUserBody())).status).toBe(201);
      for (const typo of [{ email: 'tendai@' }, { phone_number: '12' }, { email: 'x' }, { phone_number: 'call me' }]) {
        expectProblem(await register(newUserBody(typo)), 422);
      }
      const limited = await register(newUserBody());
      expectProblem(limited, 429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });
});

describe('embedded mode (npm start): revocations over the in-process bus, and across a restart', () => {
  let node: EmbeddedNode;
  let admin: { access: string; refresh: string };
  let deleted: Registered;
  let demoted: Registered;
  let loggedOut: Registered;
  let kept: Registered;

  beforeAll(async () => {
    node = await embeddedNode('hardening', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    await node.start();
    admin = await login(node.api, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await node?.destroy();
  });

  it('refuses the tokens of a deleted user, a demoted organizer and a logged-out sign-in within a second', async () => {
    const { api } = node;
    [deleted, demoted, loggedOut, kept] = await Promise.all([
      register(api),
      register(api, { role: 'organizer' }),
      register(api),
      register(api),
    ]);

    await api('DELETE', `/api/v1/users/${deleted.id}`, { token: deleted.access });
    expect(await refusedAfter(api, deleted.access)).toBeLessThan(REVOCATION_BOUND_MS);

    await api('PUT', `/api/v1/users/${demoted.id}`, { token: admin.access, body: { role: 'user' } });
    expect(await refusedAfter(api, demoted.access)).toBeLessThan(REVOCATION_BOUND_MS);
    expectProblem(await api('POST', '/api/v1/events', { token: demoted.access, body: eventBody() }), 401);

    await api('POST', '/api/v1/auth/logout', { body: { refresh_token: loggedOut.refresh } });
    expect(await refusedAfter(api, loggedOut.access)).toBeLessThan(REVOCATION_BOUND_MS);
    expect((await api('GET', '/api/v1/orders', { token: kept.access })).status).toBe(200);
  });

  it("still refuses them after a restart, which empties the gateway's memory", async () => {
    await node.stop('SIGTERM');
    await node.start();
    const { api } = node;
    for (const user of [deleted, demoted, loggedOut]) {
      const res = await api('GET', '/api/v1/orders', { token: user.access });
      expectProblem(res, 401);
      expect(res.body.detail).toBe('Token has been revoked');
    }
    expect((await api('GET', '/api/v1/orders', { token: kept.access })).status).toBe(200);
    const again = await login(api, demoted.email, demoted.password);
    expect((await api('GET', '/api/v1/orders', { token: again.access })).status).toBe(200);
  });
});
