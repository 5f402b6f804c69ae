import type { ServiceBroker } from 'moleculer';
import type { Knex } from 'knex';
import jwt from 'jsonwebtoken';
import { call, type Token } from '@ticketpro/shared';
import { malformed } from '@ticketpro/shared/testing';
import { startIdentityNode, type IdentityNode } from '../support/identity-node';
import { as, newUserBody, registerUser } from '../support/users';

let node: IdentityNode;
let broker: ServiceBroker;
let db: Knex;

beforeAll(async () => {
  // Production's hashing cost, which a test below reads from a stored hash.
  node = await startIdentityNode('identity_registration', { ACCESS_TOKEN_TTL: 600, PASSWORD_HASH_COST: 'owasp' });
  broker = node.broker;
  db = node.db;
});

afterAll(() => node?.stop());

describe('identity.register', () => {
  it('answers a token pair for the new user, with the contract defaults', async () => {
    const body = newUserBody();
    const tokens: Token = await call(broker, 'identity.register', body);

    expect(tokens).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43,}$/),
      token_type: 'bearer',
      expires_in: 600,
    });
    const claims = jwt.decode(tokens.access_token) as jwt.JwtPayload;
    expect(claims).toMatchObject({ role: 'user', iss: 'ticketpro-identity', aud: 'ticketpro-api' });
    expect(claims.exp! - claims.iat!).toBe(600);

    const me = await call(broker, 'identity.me', {}, as({ id: Number(claims.sub), role: 'user' }));
    expect(me).toMatchObject({ email: body.email, role: 'user', active: true, is_verified: false });
  });

  it('stores the phone number normalised and the password only as an argon2id hash', async () => {
    const user = await registerUser(broker, { phone_number: '+263 (77) 123-4567' });
    const row = await db('users').where({ id: user.caller.id }).first();

    expect(row.phone_number).toBe('+263771234567');
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(row)).not.toContain(user.password);
  });

  it('lets a user choose the organizer role, never admin', async () => {
    const organizer = await registerUser(broker, { role: 'organizer' });
    expect(organizer.caller.role).toBe('organizer');

    await expect(
      call(broker, 'identity.register', malformed({ ...newUserBody(), role: 'admin' })),
    ).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: 'role' })],
    });
  });

  it('refuses an email already registered in another letter case', async () => {
    const first = await registerUser(broker);
    const shouted = first.email.toUpperCase();

    await expect(call(broker, 'identity.register', newUserBody({ email: shouted }))).rejects.toMatchObject({
      code: 409,
      type: 'conflict',
      message: 'Email already registered',
    });
  });

  it('registers exactly one of two simultaneous registrations of one email', async () => {
    const body = newUserBody();
    const outcomes = await Promise.allSettled([
      call(broker, 'identity.register', body),
      call(broker, 'identity.register', { ...body, email: body.email.toUpperCase() }),
    ]);

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const [refused] = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused.reason).toMatchObject({ code: 409, message: 'Email already registered' });
    expect(await db('users').whereRaw('lower(email) = lower(?)', [body.email])).toHaveLength(1);
  });

  it('frees the email of a deleted account for a new registration', async () => {
    const gone = await registerUser(broker);
    await call(broker, 'identity.users.delete', { id: gone.caller.id }, as(gone.caller));

    const again = await registerUser(broker, { email: gone.email });
    expect(again.caller.id).not.toBe(gone.caller.id);
  });

  it.each([
    ['Sh0rt', 'must be 8-128 characters'],
    ['lowercase-only-1', '(rule: uppercase)'],
    ['UPPERCASE-ONLY-1', '(rule: lowercase)'],
    ['No-Digits-Here', '(rule: digit)'],
  ])('refuses the password %s naming the rule it breaks', async (password, rule) => {
    await expect(call(broker, 'identity.register', newUserBody({ password }))).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: 'password', message: expect.stringContaining(rule) })],
    });
  });

  it.each(['Password1', 'Passw0rd', 'Qwerty123', 'Welcome1', 'pASSWORD1'])(
    'refuses the common password %s whatever its letter case',
    async (password) => {
      await expect(call(broker, 'identity.register', newUserBody({ password }))).rejects.toMatchObject({
        code: 422,
        type: 'validation-error',
        data: { errors: [{ field: 'password', message: expect.stringContaining('(rule: common)') }] },
      });
    },
  );

  it('refuses a malformed phone number, a bad email and unknown fields', async () => {
    await expect(call(broker, 'identity.register', newUserBody({ phone_number: '12-34' }))).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: 'phone_number' })],
    });
    await expect(call(broker, 'identity.register', newUserBody({ email: 'not-an-email' }))).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: 'email' })],
    });
    await expect(
      call(broker, 'identity.register', malformed({ ...newUserBody(), is_verified: true })),
    ).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: 'is_verified', message: 'is not allowed' })],
    });
  });
});
