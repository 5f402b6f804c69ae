import { UnauthorizedError } from '@ticketpro/shared';
import { IdentityStandIn, SAMPLE_REGISTRATION as valid, startGateway, type Gateway } from '../support/gateway';
import { expectProblem } from '@ticketpro/shared/testing';

describe('gateway: rate limits', () => {
  const identity = new IdentityStandIn();
  let gw: Gateway;

  beforeAll(async () => {
    // TRUST_PROXY lets one test process speak for several client addresses through X-Forwarded-For.
    gw = await startGateway([identity.schema()], {
      RATE_LIMIT_LOGIN: 3,
      RATE_LIMIT_LOGIN_FAILURES: 2,
      RATE_LIMIT_REGISTER: 2,
      RATE_LIMIT_REFRESH: 2,
      RATE_LIMIT_WRITES: 3,
      TRUST_PROXY: true,
    });
  });
  afterAll(() => gw.close());

  const login = (ip: string, body: Record<string, string>, form = false) =>
    gw.api('POST', '/api/v1/auth/login', { ...(form ? { form: body } : { body }), headers: { 'x-forwarded-for': ip } });

  const expectLimited = (res: Awaited<ReturnType<typeof login>>, maxWaitSeconds: number) => {
    expectProblem(res, 429);
    expect(res.body.type).toBe('urn:ticketpro:problem:rate-limited');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(maxWaitSeconds);
    expect(res.headers.get('x-request-id')).toEqual(expect.any(String));
  };

  it('limits logins per address, whatever the account', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await login('198.51.100.1', { email: `user${i}@example.com`, password: 'pw' })).status).toBe(200);
    }
    const calls = identity.callsOf('identity.login').length;
    expectLimited(await login('198.51.100.1', { email: 'someone-else@example.com', password: 'pw' }), 60);
    expect(identity.callsOf('identity.login')).toHaveLength(calls);
    expect((await login('198.51.100.2', { email: 'someone-else@example.com', password: 'pw' })).status).toBe(200);
  });

  /** Logs in while identity refuses the password, as for a wrong one. */
  const failLogin = async (ip: string, body: Record<string, string>, form = false) => {
    identity.failure = new UnauthorizedError('Incorrect email or password');
    try {
      return await login(ip, body, form);
    } finally {
      identity.failure = undefined;
    }
  };

  it("counts only failed logins per account and address: the account's owner elsewhere is not locked out", async () => {
    expect((await failLogin('203.0.113.1', { email: 'Target@Example.com', password: 'guess-1' })).status).toBe(401);
    const form = { username: 'TARGET@example.com', password: 'guess-2', grant_type: 'password' };
    expect((await failLogin('203.0.113.1', form, true)).status).toBe(401);
    const calls = identity.callsOf('identity.login').length;
    // The right password too: from this address, the account is locked for the window.
    const locked = await login('203.0.113.1', { username: 'target@example.com', password: 'right' });
    expectLimited(locked, 15 * 60);
    expect(locked.body.detail).toMatch(/failed logins for this account/);
    expect(identity.callsOf('identity.login')).toHaveLength(calls);

    // The owner, from another address, logs in.
    expect((await login('203.0.113.2', { email: 'target@example.com', password: 'right' })).status).toBe(200);
  });

  it('never locks an account out for its successful logins', async () => {
    for (let i = 0; i < 6; i++) {
      expect((await login(`203.0.113.${10 + i}`, { email: 'popular@example.com', password: 'right' })).status).toBe(
        200,
      );
    }
    for (let i = 0; i < 3; i++)
      expect((await login('203.0.113.20', { email: 'popular@example.com', password: 'right' })).status).toBe(200);
  });

  it('limits registrations per address per hour, counting only bodies that pass validation', async () => {
    const register = (body: Record<string, unknown>) =>
      gw.api('POST', '/api/v1/auth/register', { body, headers: { 'x-forwarded-for': '192.0.2.10' } });
    expect((await register(valid)).status).toBe(201);
    expect((await register(valid)).status).toBe(201);
    // A typo is answered for what it is, however many registrations the address made…
    for (const typo of [{ email: 'ada@' }, { phone_number: '12' }, { firstname: '  ' }]) {
      const res = await register({ ...valid, ...typo });
      expectProblem(res, 422);
    }
    // …and a valid one beyond the limit is refused.
    expectLimited(await register(valid), 3600);
  });

  it('does not count typos against the registration limit', async () => {
    const register = (body: Record<string, unknown>) =>
      gw.api('POST', '/api/v1/auth/register', { body, headers: { 'x-forwarded-for': '192.0.2.11' } });
    for (let i = 0; i < 5; i++) expectProblem(await register({ firstname: 'A' }), 422);
    const calls = identity.callsOf('identity.register').length;
    expect((await register(valid)).status).toBe(201);
    expect(identity.callsOf('identity.register')).toHaveLength(calls + 1);
  });

  it('limits the changes one user makes per minute, on any route, but not their reads nor other users', async () => {
    const [key] = identity.signingKeys;
    const writer = key.sign({ sub: '501', role: 'admin' });
    const other = key.sign({ sub: '502', role: 'admin' });
    const changes = [
      () => gw.api('PUT', '/api/v1/users/501', { token: writer, body: { firstname: 'Ada' } }),
      () => gw.api('DELETE', '/api/v1/users/9', { token: writer }),
      () => gw.api('PUT', '/api/v1/users/9', { token: writer, body: { firstname: 42 } }),
    ];
    expect((await changes[0]()).status).toBe(200);
    expect((await changes[1]()).status).toBe(204);
    // A refused change counts too: the limit is on what one account sends.
    expectProblem(await changes[2](), 422);
    expectLimited(await changes[0](), 60);
    expectLimited(await gw.api('DELETE', '/api/v1/users/9', { token: writer }), 60);

    expect((await gw.api('GET', '/api/v1/users/501', { token: writer })).status).toBe(200);
    expect((await gw.api('PUT', '/api/v1/users/502', { token: other, body: { firstname: 'Ada' } })).status).toBe(200);
  });

  it('limits refreshes per address', async () => {
    const refresh = () =>
      gw.api('POST', '/api/v1/auth/refresh', {
        body: { refresh_token: 'r1' },
        headers: { 'x-forwarded-for': '192.0.2.20' },
      });
    expect((await refresh()).status).toBe(200);
    expect((await refresh()).status).toBe(200);
    expectLimited(await refresh(), 60);
  });

  it('turns a limit off with 0', async () => {
    const unlimited = await startGateway([identity.schema()], { RATE_LIMIT_LOGIN: 0 });
    try {
      const body = { email: 'a@example.com', password: 'pw' };
      const answers = await Promise.all(
        Array.from({ length: 15 }, () => unlimited.api('POST', '/api/v1/auth/login', { body })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(15).fill(200));
    } finally {
      await unlimited.close();
    }
  });
});
