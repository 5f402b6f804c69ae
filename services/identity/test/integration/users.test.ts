import type { ServiceBroker } from 'moleculer';
import { defaultPage, malformed, uniqueName } from '@ticketpro/shared/testing';
import { call, UserSchema, type AuthUser, type PageOf, type User } from '@ticketpro/shared';
import { startIdentityNode, type IdentityNode } from '../support/identity-node';
import { as, callerOf, GOOD_PASSWORD, login, registerUser } from '../support/users';

const ADMIN_EMAIL = 'root@users.example.com';

let node: IdentityNode;
let broker: ServiceBroker;
let admin: AuthUser;

beforeAll(async () => {
  node = await startIdentityNode('identity_users', { ADMIN_EMAIL, ADMIN_PASSWORD: GOOD_PASSWORD });
  broker = node.broker;
  admin = callerOf((await login(broker, ADMIN_EMAIL, GOOD_PASSWORD)).access_token);
});

afterAll(() => node?.stop());

const notFound = { code: 404, type: 'not-found', message: 'User not found' };
const unauthorized = { code: 401, type: 'unauthorized' };

describe('identity.me', () => {
  it('answers exactly the contract fields of the caller, timestamps as ISO strings', async () => {
    const user = await registerUser(broker, { firstname: 'Grace', phone_number: '077-123-4567' });

    const me: User = await call(broker, 'identity.me', {}, as(user.caller));

    expect(Object.keys(me).sort()).toEqual(Object.keys(UserSchema.properties).sort());
    expect(me).toMatchObject({ id: user.caller.id, firstname: 'Grace', email: user.email, phone_number: '0771234567' });
    expect(new Date(me.created_at).toISOString()).toBe(me.created_at);
    expect(new Date(me.updated_at).toISOString()).toBe(me.updated_at);
  });

  it('refuses a call without a caller, and a caller whose account was deleted', async () => {
    const user = await registerUser(broker);
    await expect(call(broker, 'identity.me', {}, as(undefined))).rejects.toMatchObject(unauthorized);

    await call(broker, 'identity.users.delete', { id: user.caller.id }, as(user.caller));
    await expect(call(broker, 'identity.me', {}, as(user.caller))).rejects.toMatchObject(unauthorized);
  });
});

describe('identity.users.get', () => {
  it('shows users themselves, and anyone to an admin', async () => {
    const user = await registerUser(broker);

    await expect(call(broker, 'identity.users.get', { id: user.caller.id }, as(user.caller))).resolves.toMatchObject({
      email: user.email,
    });
    await expect(call(broker, 'identity.users.get', { id: user.caller.id }, as(admin))).resolves.toMatchObject({
      email: user.email,
    });
  });

  it('tells a plain user that another user does not exist, exactly as for a missing id', async () => {
    const [user, other] = [await registerUser(broker), await registerUser(broker)];

    await expect(call(broker, 'identity.users.get', { id: other.caller.id }, as(user.caller))).rejects.toMatchObject(
      notFound,
    );
    await expect(call(broker, 'identity.users.get', { id: 2_000_000_000 }, as(admin))).rejects.toMatchObject(notFound);
  });

  it('hides a deleted user even from an admin', async () => {
    const user = await registerUser(broker);
    await call(broker, 'identity.users.delete', { id: user.caller.id }, as(admin));

    await expect(call(broker, 'identity.users.get', { id: user.caller.id }, as(admin))).rejects.toMatchObject(notFound);
  });

  it('takes the id as an integer only', async () => {
    await expect(call(broker, 'identity.users.get', malformed({ id: '1' }), as(admin))).rejects.toMatchObject({
      code: 422,
    });
  });
});

describe('identity.users.update', () => {
  it('lets users change their own profile, normalising the phone number', async () => {
    const user = await registerUser(broker);
    const before: User = await call(broker, 'identity.me', {}, as(user.caller));

    const after: User = await call(
      broker,
      'identity.users.update',
      { id: user.caller.id, surname: 'Hopper', phone_number: '(0) 77 765 4321', street_address: '1 Harbour Lane' },
      as(user.caller),
    );

    expect(after).toMatchObject({ surname: 'Hopper', phone_number: '0777654321', street_address: '1 Harbour Lane' });
    expect(after.firstname).toBe(before.firstname);
    expect(Date.parse(after.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
  });

  it.each([
    ['role', { role: 'admin' as const }],
    ['active', { active: true }],
  ])('refuses a plain user changing their own %s', async (_field, change) => {
    const user = await registerUser(broker);

    await expect(
      call(broker, 'identity.users.update', { id: user.caller.id, ...change }, as(user.caller)),
    ).rejects.toMatchObject({ code: 403, type: 'forbidden' });
    await expect(call(broker, 'identity.me', {}, as(user.caller))).resolves.toMatchObject({
      role: 'user',
      active: true,
    });
  });

  it('tells a plain user that another user does not exist', async () => {
    const [user, other] = [await registerUser(broker), await registerUser(broker)];

    await expect(
      call(broker, 'identity.users.update', { id: other.caller.id, firstname: 'Mallory' }, as(user.caller)),
    ).rejects.toMatchObject(notFound);
    await expect(
      call(broker, 'identity.users.update', { id: other.caller.id, role: 'admin' }, as(user.caller)),
    ).rejects.toMatchObject(notFound);
  });

  it('lets an admin change role and active; deactivation ends the sign-ins', async () => {
    const user = await registerUser(broker);

    const changed: User = await call(
      broker,
      'identity.users.update',
      { id: user.caller.id, role: 'organizer', active: false },
      as(admin),
    );

    expect(changed).toMatchObject({ role: 'organizer', active: false });
    await expect(call(broker, 'identity.refresh', { refresh_token: user.tokens.refresh_token })).rejects.toMatchObject({
      code: 401,
    });
    await expect(login(broker, user.email, user.password)).rejects.toMatchObject({ code: 403 });
  });

  it('tells an admin that a deleted user does not exist', async () => {
    const user = await registerUser(broker);
    await call(broker, 'identity.users.delete', { id: user.caller.id }, as(admin));

    await expect(
      call(broker, 'identity.users.update', { id: user.caller.id, active: true }, as(admin)),
    ).rejects.toMatchObject(notFound);
  });

  it('goes by the stored role, not the one an older access token claims', async () => {
    const user = await registerUser(broker);
    const claimsAdmin: AuthUser = { id: user.caller.id, role: 'admin' };

    await expect(call(broker, 'identity.users.list', defaultPage({}), as(claimsAdmin))).rejects.toMatchObject({
      code: 403,
    });
    await expect(
      call(broker, 'identity.users.update', { id: user.caller.id, role: 'admin' }, as(claimsAdmin)),
    ).rejects.toMatchObject({ code: 403 });
  });

  it('refuses an update with nothing to change, or with fields outside the schema', async () => {
    const user = await registerUser(broker);

    await expect(call(broker, 'identity.users.update', { id: user.caller.id }, as(user.caller))).rejects.toMatchObject({
      code: 422,
    });
    await expect(
      call(
        broker,
        'identity.users.update',
        malformed({ id: user.caller.id, email: 'new@example.com' }),
        as(user.caller),
      ),
    ).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: 'email', message: 'is not allowed' })],
    });
  });
});

describe('identity.users.delete', () => {
  it('lets users delete themselves: gone from reads, and no more sign-ins', async () => {
    const user = await registerUser(broker);

    await expect(call(broker, 'identity.users.delete', { id: user.caller.id }, as(user.caller))).resolves.toBeNull();

    await expect(call(broker, 'identity.users.get', { id: user.caller.id }, as(admin))).rejects.toMatchObject(notFound);
    await expect(login(broker, user.email, user.password)).rejects.toMatchObject({ code: 401 });
    await expect(call(broker, 'identity.refresh', { refresh_token: user.tokens.refresh_token })).rejects.toMatchObject({
      code: 401,
    });
  });

  it('tells a plain user that another user does not exist, and leaves that user alone', async () => {
    const [user, other] = [await registerUser(broker), await registerUser(broker)];

    await expect(call(broker, 'identity.users.delete', { id: other.caller.id }, as(user.caller))).rejects.toMatchObject(
      notFound,
    );
    await expect(call(broker, 'identity.me', {}, as(other.caller))).resolves.toMatchObject({ id: other.caller.id });
  });

  it('lets an admin delete anyone, once', async () => {
    const user = await registerUser(broker);

    await call(broker, 'identity.users.delete', { id: user.caller.id }, as(admin));

    await expect(call(broker, 'identity.users.delete', { id: user.caller.id }, as(admin))).rejects.toMatchObject(
      notFound,
    );
  });
});

describe('identity.users.list', () => {
  it('is for admins only', async () => {
    const user = await registerUser(broker);

    await expect(call(broker, 'identity.users.list', defaultPage({}), as(user.caller))).rejects.toMatchObject({
      code: 403,
      type: 'forbidden',
    });
    await expect(call(broker, 'identity.users.list', defaultPage({}), as(undefined))).rejects.toMatchObject(
      unauthorized,
    );
  });

  it('searches first name, surname and email in any letter case, sorted by id, without deleted users', async () => {
    const tag = uniqueName('tag');
    const byFirstname = await registerUser(broker, { firstname: `First${tag}` });
    const bySurname = await registerUser(broker, { surname: `SUR${tag.toUpperCase()}` });
    const byEmail = await registerUser(broker, { email: `${tag}@example.com` });
    const deleted = await registerUser(broker, { firstname: `Gone${tag}` });
    await call(broker, 'identity.users.delete', { id: deleted.caller.id }, as(admin));

    const page: PageOf<User> = await call(broker, 'identity.users.list', defaultPage({ search: tag }), as(admin));

    expect(page.items.map((u) => u.id)).toEqual([byFirstname, bySurname, byEmail].map((u) => u.caller.id));
    expect(page).toMatchObject({ total: 3, skip: 0, limit: 20, has_next: false, has_prev: false });
    expect(page.items[0]).not.toHaveProperty('password_hash');
  });

  it('filters by role', async () => {
    const tag = uniqueName('role');
    const organizer = await registerUser(broker, { surname: tag, role: 'organizer' });
    await registerUser(broker, { surname: tag, role: 'user' });

    const page: PageOf<User> = await call(
      broker,
      'identity.users.list',
      defaultPage({ search: tag, role: 'organizer' }),
      as(admin),
    );

    expect(page.items.map((u) => u.id)).toEqual([organizer.caller.id]);
  });

  it('treats LIKE wildcards in the search as plain characters', async () => {
    const tag = uniqueName('wild');
    const literal = await registerUser(broker, { surname: `${tag}%_x` });
    await registerUser(broker, { surname: `${tag}abx` });

    const page: PageOf<User> = await call(
      broker,
      'identity.users.list',
      defaultPage({ search: `${tag}%_` }),
      as(admin),
    );

    expect(page.items.map((u) => u.id)).toEqual([literal.caller.id]);
  });

  it('pages with skip and limit', async () => {
    const tag = uniqueName('page');
    const users = [];
    for (let i = 0; i < 5; i++) users.push(await registerUser(broker, { surname: tag }));
    const ids = users.map((u) => u.caller.id);

    const middle: PageOf<User> = await call(
      broker,
      'identity.users.list',
      { search: tag, skip: 2, limit: 2 },
      as(admin),
    );
    const last: PageOf<User> = await call(broker, 'identity.users.list', { search: tag, skip: 4, limit: 2 }, as(admin));

    expect(middle).toMatchObject({ total: 5, skip: 2, limit: 2, has_next: true, has_prev: true });
    expect(middle.items.map((u) => u.id)).toEqual(ids.slice(2, 4));
    expect(last).toMatchObject({ total: 5, has_next: false, has_prev: true });
    expect(last.items.map((u) => u.id)).toEqual(ids.slice(4));
  });

  it('refuses a page size beyond 100', async () => {
    await expect(call(broker, 'identity.users.list', defaultPage({ limit: 101 }), as(admin))).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: 'limit' })],
    });
  });
});
