import { call } from '@ticketpro/shared';
import { malformed } from '@ticketpro/shared/testing';
import type { ServiceBroker } from 'moleculer';
import { startIdentityNode, type IdentityNode } from '../support/identity-node';
import { as, callerOf, GOOD_PASSWORD, login, registerUser, type RegisteredUser } from '../support/users';

const ADMIN_EMAIL = 'root@names.example.com';

let node: IdentityNode;
let broker: ServiceBroker;

beforeAll(async () => {
  node = await startIdentityNode('identity_user_names', { ADMIN_EMAIL, ADMIN_PASSWORD: GOOD_PASSWORD });
  broker = node.broker;
});

afterAll(() => node?.stop());

interface UserName {
  id: number;
  firstname: string;
  surname: string;
}

/** Called as another service calls it: no user in meta. */
const names = (params: unknown): Promise<UserName[]> => call(broker, 'identity.users.names', malformed(params));
const idOf = (user: RegisteredUser) => user.caller.id;

describe('identity.users.names', () => {
  it('answers the names of the users asked for, in id order, without a caller', async () => {
    const rudo = await registerUser(broker, { firstname: 'Rudo', surname: 'Chari', role: 'organizer' });
    const farai = await registerUser(broker, { firstname: 'Farai', surname: 'Mlambo' });

    const answer = await names({ ids: [idOf(farai), idOf(rudo)] });

    expect(answer).toEqual([
      { id: idOf(rudo), firstname: 'Rudo', surname: 'Chari' },
      { id: idOf(farai), firstname: 'Farai', surname: 'Mlambo' },
    ]);
  });

  it('shows no contact details, role or account state', async () => {
    const user = await registerUser(broker);

    const [answer] = await names({ ids: [idOf(user)] });

    expect(Object.keys(answer).sort()).toEqual(['firstname', 'id', 'surname']);
  });

  it('leaves out ids of no user', async () => {
    const user = await registerUser(broker, { firstname: 'Tsitsi' });

    const answer = await names({ ids: [2_000_000_000, idOf(user), 1_999_999_999] });

    expect(answer.map((u) => u.id)).toEqual([idOf(user)]);
    await expect(names({ ids: [2_000_000_000] })).resolves.toEqual([]);
  });

  it('keeps the names of deleted and deactivated users, so their events keep an organizer', async () => {
    const admin = callerOf((await login(broker, ADMIN_EMAIL, GOOD_PASSWORD)).access_token);
    const gone = await registerUser(broker, { firstname: 'Nyasha', surname: 'Gone', role: 'organizer' });
    const idle = await registerUser(broker, { firstname: 'Kuda', surname: 'Idle', role: 'organizer' });
    await call(broker, 'identity.users.delete', { id: idOf(gone) }, as(gone.caller));
    await call(broker, 'identity.users.update', { id: idOf(idle), active: false }, as(admin));

    const answer = await names({ ids: [idOf(gone), idOf(idle)] });

    expect(answer).toEqual([
      { id: idOf(gone), firstname: 'Nyasha', surname: 'Gone' },
      { id: idOf(idle), firstname: 'Kuda', surname: 'Idle' },
    ]);
  });

  it('answers a full page of 100 ids', async () => {
    const user = await registerUser(broker);
    const ids = [idOf(user), ...Array.from({ length: 99 }, (_, i) => 1_000_000_000 + i)];

    await expect(names({ ids })).resolves.toEqual([expect.objectContaining({ id: idOf(user) })]);
  });

  it.each([
    ['no ids', { ids: [] }],
    ['more than 100 ids', { ids: Array.from({ length: 101 }, (_, i) => i + 1) }],
    ['a repeated id', { ids: [1, 2, 1] }],
    ['an id as text', { ids: ['1'] }],
    ['a zero id', { ids: [0] }],
    ['a fractional id', { ids: [1.5] }],
    ['no ids field', {}],
    ['a field besides ids', { ids: [1], fields: ['email'] }],
  ])('refuses %s with 422', async (_what, params) => {
    await expect(names(params)).rejects.toMatchObject({ code: 422 });
  });
});
