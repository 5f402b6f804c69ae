import { expectProblem } from '../../../../tests/support/users';
import { IdentityStandIn, startGateway, type Gateway } from '../support/gateway';

describe('gateway: rate limits', () => {
  const identity = new IdentityStandIn();
  let gw: Gateway;

  beforeAll(async () => {
    // TRUST_PROXY lets one test process speak for several client addresses through X-Forwarded-For.
    gw = await startGateway([identity.schema()], {
      RATE_LIMIT_LOGIN: 3,
      RATE_LIMIT_REGISTER: 2,
      RATE_LIMIT_REFRESH: 2,
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

  it('limits logins per account, whatever the address, matching email and username case-insensitively', async () => {
    expect((await login('203.0.113.1', { email: 'Target@Example.com', password: 'pw' })).status).toBe(200);
    expect((await login('203.0.113.2', { username: 'target@example.com', password: 'pw' })).status).toBe(200);
    const form = { username: 'TARGET@example.com', password: 'pw', grant_type: 'password' };
    expect((await login('203.0.113.3', form, true)).status).toBe(200);
    expectLimited(await login('203.0.113.4', { email: 'target@example.com', password: 'pw' }), 60);
    expect((await login('203.0.113.4', { email: 'another@example.com', password: 'pw' })).status).toBe(200);
  });

  it('limits registrations per address per hour', async () => {
    const register = () =>
      gw.api('POST', '/api/v1/auth/register', { body: { firstname: 'A' }, headers: { 'x-forwarded-for': '192.0.2.10' } });
    // Invalid bodies count too: the limit is on attempts.
    expect((await register()).status).toBe(422);
    expect((await register()).status).toBe(422);
    expectLimited(await register(), 3600);
  });

  it('limits refreshes per address', async () => {
    const refresh = () =>
      gw.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'r1' }, headers: { 'x-forwarded-for': '192.0.2.20' } });
    expect((await refresh()).status).toBe(200);
    expect((await refresh()).status).toBe(200);
    expectLimited(await refresh(), 60);
  });

  it('turns a limit off with 0', async () => {
    const unlimited = await startGateway([identity.schema()], { RATE_LIMIT_LOGIN: 0 });
    try {
      const body = { email: 'a@example.com', password: 'pw' };
      const answers = await Promise.all(Array.from({ length: 15 }, () => unlimited.api('POST', '/api/v1/auth/login', { body })));
      expect(answers.map((a) => a.status)).toEqual(Array(15).fill(200));
    } finally {
      await unlimited.close();
    }
  });
});
