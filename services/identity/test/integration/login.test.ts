import { call } from '@ticketpro/shared';
import { malformed } from '@ticketpro/shared/testing';
import { performance } from 'node:perf_hooks';
import type { ServiceBroker } from 'moleculer';
import { startIdentityNode, type IdentityNode } from '../support/identity-node';
import { as, callerOf, login, registerUser } from '../support/users';

let node: IdentityNode;
let broker: ServiceBroker;

beforeAll(async () => {
  // The timing test compares real checks: at the test cost an unknown email skipping the check
  // would answer nearly as fast as a wrong password.
  node = await startIdentityNode('identity_login', { PASSWORD_HASH_COST: 'owasp' });
  broker = node.broker;
});

afterAll(() => node?.stop());

const refused = { code: 401, type: 'unauthorized', message: 'Incorrect email or password' };

describe('identity.login', () => {
  it('signs in with the email in any letter case, each time in a new token family', async () => {
    const user = await registerUser(broker);

    const first = await login(broker, user.email.toUpperCase(), user.password);
    const second = await login(broker, user.email, user.password);

    expect(callerOf(first.access_token)).toEqual(user.caller);
    expect(first.refresh_token).not.toBe(second.refresh_token);
    // Separate families: using one sign-in's token leaves the other sign-in alone.
    await call(broker, 'identity.refresh', { refresh_token: first.refresh_token });
    await expect(call(broker, 'identity.refresh', { refresh_token: second.refresh_token })).resolves.toBeDefined();
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const user = await registerUser(broker);

    await expect(login(broker, user.email, 'Wrong-Password-99')).rejects.toMatchObject(refused);
    await expect(login(broker, `nobody-${user.email}`, user.password)).rejects.toMatchObject(refused);
  });

  it('takes about as long for an unknown email as for a wrong password', async () => {
    const user = await registerUser(broker);
    const timeOf = async (email: string) => {
      const started = performance.now();
      await login(broker, email, 'Wrong-Password-99').catch(() => undefined);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // Warms the dummy hash up, as a running service would have long since.
    await timeOf('warm-up@example.com');

    const wrongPassword: number[] = [];
    const unknownEmail: number[] = [];
    for (let i = 0; i < 5; i++) {
      wrongPassword.push(await timeOf(user.email));
      unknownEmail.push(await timeOf(`nobody-${i}@example.com`));
    }

    // Without the dummy verification an unknown email answers in about a millisecond, not ~25.
    expect(median(unknownEmail)).toBeGreaterThan(median(wrongPassword) * 0.5);
  });

  it('refuses a deactivated account with the right password, and says nothing with the wrong one', async () => {
    const user = await registerUser(broker, { active: false });

    await expect(login(broker, user.email, user.password)).rejects.toMatchObject({
      code: 403,
      type: 'forbidden',
      message: 'Account is deactivated',
    });
    await expect(login(broker, user.email, 'Wrong-Password-99')).rejects.toMatchObject(refused);
  });

  it('refuses a deleted account as if it never existed', async () => {
    const user = await registerUser(broker);
    await call(broker, 'identity.users.delete', { id: user.caller.id }, as(user.caller));

    await expect(login(broker, user.email, user.password)).rejects.toMatchObject(refused);
  });

  it('refuses params outside the schema', async () => {
    await expect(call(broker, 'identity.login', malformed({ email: 'a@example.com' }))).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: 'password' })],
    });
  });
});
