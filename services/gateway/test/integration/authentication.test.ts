import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { base64url } from '@ticketpro/tests/support/users';
import { IdentityStandIn, SigningKey, startGateway, type Gateway } from '../support/gateway';
import { expectProblem } from '@ticketpro/shared/testing';

/** A JWT assembled by hand, for the forgeries jsonwebtoken refuses to produce. */
function handMade(header: object, claims: object, sign: (input: string) => string): string {
  const input = `${base64url(header)}.${base64url(claims)}`;
  return `${input}.${sign(input)}`;
}

const now = () => Math.floor(Date.now() / 1000);

describe('gateway: authentication with identity keys (JWKS)', () => {
  const identity = new IdentityStandIn();
  const [key] = identity.signingKeys;
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway([identity.schema()]);
  });
  afterAll(() => gw.close());

  const me = (token?: string) => gw.api('GET', '/api/v1/auth/me', { token });
  const claims = () => ({
    sub: '42',
    role: 'user',
    iss: gw.config.JWT_ISSUER,
    aud: gw.config.JWT_AUDIENCE,
    exp: now() + 600,
  });

  const expectInvalidToken = (res: Awaited<ReturnType<typeof me>>, detail: string | RegExp) => {
    expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(res.body.detail).toMatch(detail);
  };

  it('fetches the keys only once a token needs them', async () => {
    expect(identity.callsOf('identity.keys')).toHaveLength(0);
    await gw.api('GET', '/health');
    expect(identity.callsOf('identity.keys')).toHaveLength(0);
  });

  it('lets a valid token through, with the user in meta, and answers the User without internal fields', async () => {
    const res = await me(key.sign({ role: 'organizer', sub: '7' }));
    expect(res.status).toBe(200);
    expect(identity.lastCall('identity.me').meta.user).toEqual({ id: 7, role: 'organizer' });
    expect(res.body).toEqual({
      id: 42,
      firstname: 'Ada',
      surname: 'Lovelace',
      email: 'ada@example.com',
      phone_number: '+263 77 123 4567',
      street_address: '1 Analytical Engine Road',
      active: true,
      role: 'user',
      is_verified: false,
      created_at: '2027-01-01T10:00:00.000Z',
      updated_at: '2027-01-02T10:00:00.000Z',
    });
  });

  it('answers 401 "Not authenticated" with a bare Bearer challenge when no token is sent', async () => {
    const calls = identity.callsOf('identity.me').length;
    const withoutToken: Record<string, string>[] = [
      {},
      { authorization: 'Basic YWRhOnNlY3JldA==' },
      { authorization: 'Bearer' },
    ];
    for (const headers of withoutToken) {
      const res = await gw.api('GET', '/api/v1/auth/me', { headers });
      expectProblem(res, 401);
      expect(res.body.detail).toBe('Not authenticated');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(identity.callsOf('identity.me')).toHaveLength(calls);
  });

  it('refuses an expired token', async () => {
    expectInvalidToken(await me(key.sign({ exp: now() - 5 })), 'Token has expired');
  });

  it('refuses a token from another issuer or for another audience', async () => {
    expectInvalidToken(await me(key.sign({ iss: 'someone-else' })), 'Invalid token');
    expectInvalidToken(await me(key.sign({ aud: 'another-api' })), 'Invalid token');
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = key.sign().split('.');
    const tampered = `${header}.${base64url({ ...claims(), role: 'admin' })}.${signature}`;
    expectInvalidToken(await me(tampered), 'Invalid token');
  });

  it('refuses a token signed by another key under a known key id', async () => {
    const impostor = new SigningKey(key.kid);
    expectInvalidToken(await me(impostor.sign()), 'Invalid token');
  });

  it('refuses alg none', async () => {
    const unsigned = handMade({ alg: 'none', typ: 'JWT', kid: key.kid }, { ...claims(), role: 'admin' }, () => '');
    expectInvalidToken(await me(unsigned), 'Invalid token');
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const forged = handMade({ alg: 'HS256', typ: 'JWT', kid: key.kid }, { ...claims(), role: 'admin' }, (input) =>
      createHmac('sha256', key.publicPem).update(input).digest('base64url'),
    );
    expectInvalidToken(await me(forged), 'Invalid token');
  });

  it('refuses a token without expiry, or whose subject is not a user id, or whose role is unknown', async () => {
    const { exp: _exp, ...forever } = claims();
    const sign = (payload: object) =>
      handMade({ alg: 'ES256', typ: 'JWT', kid: key.kid }, payload, (input) => esSign(key, input));
    expectInvalidToken(await me(sign(forever)), 'no expiry');
    expectInvalidToken(await me(sign({ ...claims(), sub: 'ada' })), 'unexpected claims');
    expectInvalidToken(await me(sign({ ...claims(), sub: '1e3' })), 'unexpected claims');
    expectInvalidToken(await me(sign({ ...claims(), role: 'root' })), 'unexpected claims');
  });

  it('refuses garbage', async () => {
    expectInvalidToken(await me('not.a.jwt'), 'Invalid token');
  });

  it('ignores the Authorization header on public routes', async () => {
    const res = await gw.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'r1' }, token: 'not.a.jwt' });
    expect(res.status).toBe(200);
    expect(identity.lastCall('identity.refresh').meta.user).toBeUndefined();
  });

  it('refetches the keys once for a new key id, at most every 30 s', async () => {
    const realNow = Date.now.bind(Date);
    let offsetMs = 0;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs);
    try {
      // Well after the last fetch, a key rotated in at identity is picked up at once.
      offsetMs += 31_000;
      const rotated = new SigningKey();
      identity.signingKeys.push(rotated);
      const fetches = identity.callsOf('identity.keys').length;
      expect((await me(rotated.sign())).status).toBe(200);
      expect(identity.callsOf('identity.keys')).toHaveLength(fetches + 1);

      // Right after that fetch, made-up key ids cannot make the gateway ask again.
      const unknown = new SigningKey();
      expectInvalidToken(await me(unknown.sign()), 'unknown signing key');
      expectInvalidToken(await me(unknown.sign()), 'unknown signing key');
      expect(identity.callsOf('identity.keys')).toHaveLength(fetches + 1);

      offsetMs += 31_000;
      identity.signingKeys.push(unknown);
      expect((await me(unknown.sign())).status).toBe(200);
      expect(identity.callsOf('identity.keys')).toHaveLength(fetches + 2);
    } finally {
      clock.mockRestore();
    }
  });
});

describe('gateway: key fetching', () => {
  it('shares one fetch between the first requests arriving together', async () => {
    const identity = new IdentityStandIn();
    const gw = await startGateway([identity.schema()]);
    try {
      const token = identity.signingKeys[0].sign();
      const answers = await Promise.all(Array.from({ length: 5 }, () => gw.api('GET', '/api/v1/auth/me', { token })));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(identity.callsOf('identity.keys')).toHaveLength(1);
    } finally {
      await gw.close();
    }
  });

  it('answers 503 with Retry-After when identity cannot be asked for its keys', async () => {
    const gw = await startGateway([]);
    try {
      const res = await gw.api('GET', '/api/v1/auth/me', { token: new SigningKey().sign() });
      expectProblem(res, 503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.body.detail).toMatch(/identity service is unavailable/);
    } finally {
      await gw.close();
    }
  });

  it('tries again on the next request after a failed fetch', async () => {
    const identity = new IdentityStandIn();
    const gw = await startGateway([identity.schema()]);
    try {
      const token = identity.signingKeys[0].sign();
      identity.failure = new Error('keys table locked');
      expectProblem(await gw.api('GET', '/api/v1/auth/me', { token }), 503);
      identity.failure = undefined;
      expect((await gw.api('GET', '/api/v1/auth/me', { token })).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

describe('gateway: configured public key', () => {
  const key = new SigningKey();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['JWT_PUBLIC_KEY', () => ({ JWT_PUBLIC_KEY: key.publicPem })],
    ['JWT_PUBLIC_KEY with escaped newlines', () => ({ JWT_PUBLIC_KEY: key.publicPem.replace(/\n/g, '\\n') })],
    [
      'JWT_PUBLIC_KEY_FILE',
      () => {
        const file = path.join(dir, 'public.pem');
        writeFileSync(file, key.publicPem);
        return { JWT_PUBLIC_KEY_FILE: file };
      },
    ],
  ])('verifies with %s and never asks identity for keys', async (_how, settings) => {
    const identity = new IdentityStandIn();
    const gw = await startGateway([identity.schema()], settings());
    try {
      expect((await gw.api('GET', '/api/v1/auth/me', { token: key.sign() })).status).toBe(200);
      expectProblem(await gw.api('GET', '/api/v1/auth/me', { token: new SigningKey().sign() }), 401);
      expect(identity.callsOf('identity.keys')).toHaveLength(0);
    } finally {
      await gw.close();
    }
  });

  it('refuses to start with a key that cannot verify ES256', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsa = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    await expect(startGateway([], { JWT_PUBLIC_KEY: rsa })).rejects.toThrow(/EC P-256/);
  });
});

/** An ES256 signature (JOSE form: r‖s) over `input`. */
function esSign(key: SigningKey, input: string): string {
  return sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}
