import type { ServiceBroker } from 'moleculer';
import type { Knex } from 'knex';
import jwt from 'jsonwebtoken';
import { call, type AuthUser, type EventEnvelope, type Token, type TokenRevocations } from '@ticketpro/shared';
import { startIdentityNode, type IdentityNode } from '../support/identity-node';
import { as, callerOf, GOOD_PASSWORD, login, registerUser } from '../support/users';

const ADMIN_EMAIL = 'root@revocation.example.com';

let node: IdentityNode;
let broker: ServiceBroker;
let db: Knex;
let admin: AuthUser;

beforeAll(async () => {
  node = await startIdentityNode('identity_revocation', { ADMIN_EMAIL, ADMIN_PASSWORD: GOOD_PASSWORD });
  broker = node.broker;
  db = node.db;
  admin = callerOf((await login(broker, ADMIN_EMAIL, GOOD_PASSWORD)).access_token);
});

afterAll(() => node?.stop());

interface Claims {
  sub: string;
  role: string;
  ver: number;
  sid: string;
}
const claimsOf = (token: Token) => jwt.decode(token.access_token) as Claims;
const refresh = (token: Token): Promise<Token> =>
  call(broker, 'identity.refresh', { refresh_token: token.refresh_token });
const revocations = (): Promise<TokenRevocations> => call(broker, 'identity.tokens.revocations');

async function eventsOf(name: string, matches: (data: Record<string, unknown>) => boolean): Promise<EventEnvelope[]> {
  const rows: { envelope: EventEnvelope }[] = await db('outbox').select('envelope').where({ name }).orderBy('seq');
  return rows.map((r) => r.envelope).filter((e) => matches(e.data as Record<string, unknown>));
}

describe('access tokens', () => {
  it('carry the account token version (ver) and the sign-in (sid), which refresh keeps and a new login changes', async () => {
    const user = await registerUser(broker);
    const first = claimsOf(user.tokens);
    expect(first).toMatchObject({ ver: 0, sid: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const family = await db('refresh_tokens').where({ user_id: user.caller.id }).first('family_id');
    expect(first.sid).toBe(family.family_id);

    expect(claimsOf(await refresh(user.tokens)).sid).toBe(first.sid);
    expect(claimsOf(await login(broker, user.email, user.password)).sid).not.toBe(first.sid);
  });
});

describe('token versions', () => {
  const versionOf = async (id: number) =>
    (await db('users').where({ id }).first('token_version')).token_version as number;

  it('rise when an admin deactivates an account or changes its role, and the event says so', async () => {
    const user = await registerUser(broker, { role: 'organizer' });
    const id = user.caller.id;

    await call(broker, 'identity.users.update', { id, role: 'user' }, as(admin));
    expect(await versionOf(id)).toBe(1);
    await call(broker, 'identity.users.update', { id, active: false }, as(admin));
    expect(await versionOf(id)).toBe(2);

    const updates = await eventsOf('identity.user.updated', (data) => data.id === id);
    expect(updates.map((e) => [e.dataversion, e.data])).toEqual([
      [3, expect.objectContaining({ role: 'user', active: true, token_version: 1 })],
      [3, expect.objectContaining({ role: 'user', active: false, token_version: 2 })],
    ]);
  });

  it('stay when nothing about access changes: a profile edit, the same role again, a reactivation', async () => {
    const user = await registerUser(broker);
    const id = user.caller.id;
    await call(broker, 'identity.users.update', { id, surname: 'Hopper' }, as(user.caller));
    await call(broker, 'identity.users.update', { id, role: 'user' }, as(admin));
    expect(await versionOf(id)).toBe(0);

    await call(broker, 'identity.users.update', { id, active: false }, as(admin));
    await call(broker, 'identity.users.update', { id, active: true }, as(admin));
    expect(await versionOf(id)).toBe(1);
    // Signing in again gives a token of the current version.
    expect(claimsOf(await login(broker, user.email, user.password)).ver).toBe(1);
  });

  it('rise with a deletion', async () => {
    const user = await registerUser(broker);
    await call(broker, 'identity.users.delete', { id: user.caller.id }, as(user.caller));
    expect((await db('users').where({ id: user.caller.id }).first('token_version')).token_version).toBe(1);
  });

  it('do not rise twice when two admins demote one organizer at once', async () => {
    const user = await registerUser(broker, { role: 'organizer' });
    const id = user.caller.id;
    await Promise.all([
      call(broker, 'identity.users.update', { id, role: 'user' }, as(admin)),
      call(broker, 'identity.users.update', { id, role: 'user' }, as(admin)),
    ]);
    expect(await versionOf(id)).toBe(1);
  });

  it('are read afresh by a refresh, so the new pair carries the new role and version', async () => {
    const user = await registerUser(broker, { role: 'organizer' });
    await call(broker, 'identity.users.update', { id: user.caller.id, role: 'user' }, as(admin));
    expect(claimsOf(await refresh(user.tokens))).toMatchObject({ role: 'user', ver: 1 });
  });
});

describe('ended sign-ins', () => {
  it('are told by identity.session.revoked on logout, once', async () => {
    const user = await registerUser(broker);
    const { sid } = claimsOf(user.tokens);
    await call(broker, 'identity.logout', { refresh_token: user.tokens.refresh_token });
    await call(broker, 'identity.logout', { refresh_token: user.tokens.refresh_token });

    const events = await eventsOf('identity.session.revoked', (data) => data.session_id === sid);
    expect(events.map((e) => e.data)).toEqual([{ user_id: user.caller.id, session_id: sid }]);
  });

  it('are told when a spent refresh token comes back and its family is revoked', async () => {
    const user = await registerUser(broker);
    const { sid } = claimsOf(user.tokens);
    await refresh(user.tokens);
    await expect(refresh(user.tokens)).rejects.toMatchObject({ code: 401 });

    const events = await eventsOf('identity.session.revoked', (data) => data.session_id === sid);
    expect(events.map((e) => e.data)).toEqual([{ user_id: user.caller.id, session_id: sid }]);
  });
});

describe('identity.tokens.revocations', () => {
  it('lists the versions raised, the accounts deleted and the sign-ins ended within the horizon only', async () => {
    const demoted = await registerUser(broker, { role: 'organizer' });
    const deleted = await registerUser(broker);
    const loggedOut = await registerUser(broker);
    const untouched = await registerUser(broker);
    const long = await registerUser(broker, { role: 'organizer' });
    await call(broker, 'identity.users.update', { id: demoted.caller.id, role: 'user' }, as(admin));
    await call(broker, 'identity.users.delete', { id: deleted.caller.id }, as(deleted.caller));
    await call(broker, 'identity.logout', { refresh_token: loggedOut.tokens.refresh_token });
    await call(broker, 'identity.users.update', { id: long.caller.id, role: 'user' }, as(admin));
    // A revocation older than ACCESS_TOKEN_TTL and a minute: every token it concerned has expired.
    await db('users')
      .where({ id: long.caller.id })
      .update({ tokens_revoked_at: db.raw("now() - interval '2 hours'") });

    const answer = await revocations();

    expect(answer.users).toEqual(
      expect.arrayContaining([
        { id: demoted.caller.id, token_version: 1, deleted: false },
        { id: deleted.caller.id, token_version: 1, deleted: true },
      ]),
    );
    const ids = answer.users.map((u) => u.id);
    expect(ids).not.toContain(untouched.caller.id);
    expect(ids).not.toContain(long.caller.id);
    expect(answer.sessions).toEqual(
      expect.arrayContaining([{ user_id: loggedOut.caller.id, session_id: claimsOf(loggedOut.tokens).sid }]),
    );
    expect(answer.sessions.map((s) => s.user_id)).not.toContain(untouched.caller.id);
  });
});
