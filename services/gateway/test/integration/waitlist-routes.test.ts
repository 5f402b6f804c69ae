import { CatalogStandIn, WAITLIST_POSITION } from '../support/catalog';
import { IdentityStandIn, gatewayForFile, refusalCheck } from '../support/gateway';
import { TicketingStandIn } from '../support/ticketing';
import { expectProblem } from '@ticketpro/shared/testing';

/** The waiting-list routes under `/tickets/types/{id}/waitlist`, against a catalog stand-in. */
describe('gateway: waiting-list routes', () => {
  const identity = new IdentityStandIn();
  const catalog = new CatalogStandIn();
  // Owns `/tickets/:id`, which must not swallow `/tickets/types/:id/waitlist`.
  const ticketing = new TicketingStandIn();
  const [key] = identity.signingKeys;
  const gw = gatewayForFile(identity, catalog, ticketing);
  beforeEach(() => {
    catalog.waiting.clear();
  });
  const expectRefused = refusalCheck(gw, catalog);

  const user = (id: number) => key.sign({ sub: String(id), role: 'user' });
  const organizer = () => key.sign({ sub: '3', role: 'organizer' });

  it('joins for the caller: 201, the id from the path and the quantity from the body, the user in meta', async () => {
    const res = await gw.api('POST', '/api/v1/tickets/types/11/waitlist', { token: user(21), body: { quantity: 2 } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ ...WAITLIST_POSITION, quantity: 2 });
    const call = catalog.lastCall('catalog.waitlist.join');
    expect(call.params).toEqual({ id: 11, quantity: 2 });
    expect(call.meta.user).toMatchObject({ id: 21, role: 'user' });
  });

  it('refuses unknown and server-owned fields, NUL bytes and out-of-range numbers with 422, calling nothing', async () => {
    const path = '/api/v1/tickets/types/11/waitlist';
    const token = user(21);
    for (const [body, field] of [
      [{ quantity: 1, user_id: 5 }, 'user_id'],
      [{ quantity: 1, position: 1 }, 'position'],
      [{ quantity: 1, state: 'offered' }, 'state'],
      [{ quantity: 0 }, 'quantity'],
      [{ quantity: 100001 }, 'quantity'],
      [{ quantity: 1e20 }, 'quantity'],
      [{ quantity: 1.5 }, 'quantity'],
      [{ quantity: '2' }, 'quantity'],
      [{}, 'quantity'],
    ] as const) {
      await expectRefused('POST', path, 'catalog.waitlist.join', { token, body }, 422, field);
    }
    await expectRefused('POST', path, 'catalog.waitlist.join', { token, body: { 'quan\u0000tity': 1 } }, 422);
    for (const id of ['0', '2147483648', '1e20', '-1', '1%00']) {
      await expectRefused(
        'POST',
        `/api/v1/tickets/types/${id}/waitlist`,
        'catalog.waitlist.join',
        { token, body: { quantity: 1 } },
        422,
      );
      await expectRefused('GET', `/api/v1/tickets/types/${id}/waitlist`, 'catalog.waitlist.get', { token }, 422);
      await expectRefused('DELETE', `/api/v1/tickets/types/${id}/waitlist`, 'catalog.waitlist.leave', { token }, 422);
    }
    await expectRefused(
      'GET',
      path + '/entries?limit=101',
      'catalog.waitlist.list',
      { token: organizer() },
      422,
      'limit',
    );
    await expectRefused(
      'GET',
      path + '/entries?skip=1e20',
      'catalog.waitlist.list',
      { token: organizer() },
      422,
      'skip',
    );
    await expectRefused('GET', path + '/entries?user_id=5', 'catalog.waitlist.list', { token: organizer() }, 422);
  });

  it('passes a concurrent repeat to catalog, which keeps one entry: one 201, one 409', async () => {
    const join = () => gw.api('POST', '/api/v1/tickets/types/11/waitlist', { token: user(22), body: { quantity: 1 } });
    const answers = await Promise.all([join(), join()]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expectProblem(
      answers.find((a) => a.status === 409)!,
      409,
    );
  });

  it("reads and leaves only the caller's own entry: another user gets 404 and no data", async () => {
    await gw.api('POST', '/api/v1/tickets/types/11/waitlist', { token: user(23), body: { quantity: 1 } });
    const mine = await gw.api('GET', '/api/v1/tickets/types/11/waitlist', { token: user(23) });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual(WAITLIST_POSITION);
    expect(catalog.lastCall('catalog.waitlist.get').params).toEqual({ id: 11 });

    const theirs = await gw.api('GET', '/api/v1/tickets/types/11/waitlist', { token: user(24) });
    expectProblem(theirs, 404);
    expect(theirs.body).not.toHaveProperty('position');
    expectProblem(await gw.api('DELETE', '/api/v1/tickets/types/11/waitlist', { token: user(24) }), 404);

    const left = await gw.api('DELETE', '/api/v1/tickets/types/11/waitlist', { token: user(23) });
    expect(left.status).toBe(200);
    expect(left.body).toEqual({ message: 'You have left the waiting list' });
    expect(catalog.lastCall('catalog.waitlist.leave').params).toEqual({ id: 11 });
  });

  it("shows the entries to the event's organizer with paging, without catalog's bookkeeping; 403 for anyone else", async () => {
    const res = await gw.api('GET', '/api/v1/tickets/types/11/waitlist/entries?skip=20&limit=10', {
      token: organizer(),
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([{ id: 5, user_id: 8, ...WAITLIST_POSITION }]);
    expect(catalog.lastCall('catalog.waitlist.list').params).toEqual({ id: 11, skip: 20, limit: 10 });
    const refused = await gw.api('GET', '/api/v1/tickets/types/11/waitlist/entries', { token: user(23) });
    expectProblem(refused, 403);
    expect(refused.body).not.toHaveProperty('items');
  });

  it('requires a token for every waiting-list route', async () => {
    const path = '/api/v1/tickets/types/11/waitlist';
    await expectRefused('POST', path, 'catalog.waitlist.join', { body: { quantity: 1 } }, 401);
    await expectRefused('GET', path, 'catalog.waitlist.get', {}, 401);
    await expectRefused('DELETE', path, 'catalog.waitlist.leave', {}, 401);
    await expectRefused('GET', `${path}/entries`, 'catalog.waitlist.list', {}, 401);
  });
});
