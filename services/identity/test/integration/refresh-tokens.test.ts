import { createHash } from 'node:crypto';
import type { ServiceBroker } from 'moleculer';
import type { Knex } from 'knex';
import { call, type Token } from '@ticketpro/shared';
import { startIdentityNode, type IdentityNode } from '../support/identity-node';
import { as, callerOf, GOOD_PASSWORD, login, registerUser } from '../support/users';

const ADMIN_EMAIL = 'root@tokens.example.com';

let node: IdentityNode;
let broker: ServiceBroker;
let db: Knex;

beforeAll(async () => {
  node = await startIdentityNode('identity_refresh', { ADMIN_EMAIL, ADMIN_PASSWORD: GOOD_PASSWORD });
  broker = node.broker;
  db = node.db;
});

afterAll(() => node?.stop());

const invalid = { code: 401, type: 'unauthorized', message: 'Invalid refresh token' };
const refresh = (token: string): Promise<Token> => call(broker, 'identity.refresh', { refresh_token: token });

describe('identity.refresh', () => {
  it('rotates: a new pair for the same user, and the old refresh token is spent', async () => {
    const user = await registerUser(broker);

    const next = await refresh(user.tokens.refresh_token);

    expect(callerOf(next.access_token)).toEqual(user.caller);
    expect(next.refresh_token).not.toBe(user.tokens.refresh_token);
    await expect(refresh(next.refresh_token)).resolves.toMatchObject({ token_type: 'bearer' });
  });

  it('keeps only a SHA-256 hash of each refresh token', async () => {
    const user = await registerUser(broker);
    const token = user.tokens.refresh_token;

    expect(await db('refresh_tokens').where({ token_hash: token }).first()).toBeUndefined();
    const digest = createHash('sha256').update(token).digest('hex');
    expect(await db('refresh_tokens').where({ token_hash: digest, user_id: user.caller.id }).first()).toBeDefined();
  });

  it('revokes the whole family when a spent token comes back', async () => {
    const user = await registerUser(broker);
    const otherSignIn = await login(broker, user.email, user.password);
    const next = await refresh(user.tokens.refresh_token);

    await expect(refresh(user.tokens.refresh_token)).rejects.toMatchObject(invalid);

    // The rightful holder's newer token dies with the family; another sign-in does not.
    await expect(refresh(next.refresh_token)).rejects.toMatchObject(invalid);
    await expect(refresh(otherSignIn.refresh_token)).resolves.toBeDefined();
  });

  it('gives one new pair for two simultaneous refreshes with one token, and ends the family', async () => {
    const user = await registerUser(broker);

    const outcomes = await Promise.allSettled([refresh(user.tokens.refresh_token), refresh(user.tokens.refresh_token)]);

    const won = outcomes.filter((o): o is PromiseFulfilledResult<Token> => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost[0].reason).toMatchObject(invalid);
    // The second presentation is a replay like any other, and the new pair was committed before
    // the replay was judged, so the family's revocation reaches it too.
    await expect(refresh(won[0].value.refresh_token)).rejects.toMatchObject(invalid);
  });

  it('refuses an expired token without treating it as a replay', async () => {
    const user = await registerUser(broker);
    const spare = await login(broker, user.email, user.password);
    const digest = createHash('sha256').update(user.tokens.refresh_token).digest('hex');
    await db('refresh_tokens')
      .where({ token_hash: digest })
      .update({ expires_at: db.raw("now() - interval '1 second'") });

    await expect(refresh(user.tokens.refresh_token)).rejects.toMatchObject(invalid);
    await expect(refresh(spare.refresh_token)).resolves.toBeDefined();
  });

  it('refuses a token that was never issued', async () => {
    await expect(refresh('A'.repeat(43))).rejects.toMatchObject(invalid);
  });

  it('refuses an access token offered as a refresh token like any wrong token (401), on refresh and logout', async () => {
    const user = await registerUser(broker);
    expect(user.tokens.access_token.length).toBeGreaterThan(200);

    await expect(refresh(user.tokens.access_token)).rejects.toMatchObject(invalid);
    await expect(call(broker, 'identity.logout', { refresh_token: user.tokens.access_token })).rejects.toMatchObject(
      invalid,
    );
  });

  it('refuses the tokens of a deleted user', async () => {
    const user = await registerUser(broker);
    const spare = await login(broker, user.email, user.password);
    await call(broker, 'identity.users.delete', { id: user.caller.id }, as(user.caller));

    await expect(refresh(user.tokens.refresh_token)).rejects.toMatchObject(invalid);
    await expect(refresh(spare.refresh_token)).rejects.toMatchObject(invalid);
  });

  it('refuses the tokens of a user an admin deactivated', async () => {
    const admin = callerOf((await login(broker, ADMIN_EMAIL, GOOD_PASSWORD)).access_token);
    const user = await registerUser(broker);

    await call(broker, 'identity.users.update', { id: user.caller.id, active: false }, as(admin));

    await expect(refresh(user.tokens.refresh_token)).rejects.toMatchObject(invalid);
    const revoked = await db('refresh_tokens').where({ user_id: user.caller.id }).whereNull('revoked_at');
    expect(revoked).toHaveLength(0);
  });

  it('refuses a token whose user was deactivated without revoking it', async () => {
    const user = await registerUser(broker);
    await db('users').where({ id: user.caller.id }).update({ active: false });

    await expect(refresh(user.tokens.refresh_token)).rejects.toMatchObject(invalid);
  });
});

describe('identity.logout', () => {
  it('ends the sign-in: every token of the family stops working', async () => {
    const user = await registerUser(broker);
    const next = await refresh(user.tokens.refresh_token);
    const otherSignIn = await login(broker, user.email, user.password);

    await expect(call(broker, 'identity.logout', { refresh_token: next.refresh_token })).resolves.toBeNull();

    await expect(refresh(next.refresh_token)).rejects.toMatchObject(invalid);
    await expect(refresh(otherSignIn.refresh_token)).resolves.toBeDefined();
  });

  it('accepts a second logout with the same token, and refuses a token never issued', async () => {
    const user = await registerUser(broker);
    await call(broker, 'identity.logout', { refresh_token: user.tokens.refresh_token });

    await expect(call(broker, 'identity.logout', { refresh_token: user.tokens.refresh_token })).resolves.toBeNull();
    await expect(call(broker, 'identity.logout', { refresh_token: 'B'.repeat(43) })).rejects.toMatchObject(invalid);
  });
});
