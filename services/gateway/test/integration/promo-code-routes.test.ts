import { ConflictError, ForbiddenError } from '@ticketpro/shared';
import { expectProblem } from '@ticketpro/shared/testing';
import { CatalogStandIn, SAMPLE_PROMO_CODE } from '../support/catalog';
import { IdentityStandIn, gatewayForFile } from '../support/gateway';

/** Each promo code route calls its catalog action with the path, body and caller; bad input never reaches it. */
describe('gateway: promo code routes', () => {
  const identity = new IdentityStandIn();
  const catalog = new CatalogStandIn();
  const [key] = identity.signingKeys;
  const gw = gatewayForFile(identity, catalog);

  const token = () => key.sign({ sub: '3', role: 'organizer' });
  const calls = () => catalog.callsOf('catalog.promoCodes.create').length;

  it('creates a code with the event from the path and the caller from the token', async () => {
    const body = { code: 'HIFA10', percent_off: 10, max_uses: 10, max_uses_per_user: 1 };
    const res = await gw.api('POST', '/api/v1/events/7/promo-codes', { token: token(), body });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ...body, event_id: 7, uses: 0 });
    const call = catalog.lastCall('catalog.promoCodes.create');
    expect(call.params).toEqual({ id: 7, ...body });
    expect(call.meta.user).toMatchObject({ id: 3, role: 'organizer' });
  });

  it('lists, reads, changes and deletes codes by their event and id', async () => {
    const auth = { token: token() };
    expect((await gw.api('GET', '/api/v1/events/7/promo-codes?limit=5', auth)).body).toMatchObject({
      items: [{ ...SAMPLE_PROMO_CODE }],
      limit: 5,
    });
    expect(catalog.lastCall('catalog.promoCodes.list').params).toEqual({ id: 7, skip: 0, limit: 5 });
    expect((await gw.api('GET', '/api/v1/events/7/promo-codes/4', auth)).status).toBe(200);
    expect(catalog.lastCall('catalog.promoCodes.get').params).toEqual({ id: 7, code_id: 4 });
    const put = await gw.api('PUT', '/api/v1/events/7/promo-codes/4', { ...auth, body: { max_uses: 20 } });
    expect(put.body).toMatchObject({ max_uses: 20 });
    expect(catalog.lastCall('catalog.promoCodes.update').params).toEqual({ id: 7, code_id: 4, max_uses: 20 });
    expect((await gw.api('DELETE', '/api/v1/events/7/promo-codes/4', auth)).body).toEqual({
      message: 'Promo code deleted',
    });
  });

  it('needs a token (401)', async () => {
    expectProblem(await gw.api('GET', '/api/v1/events/7/promo-codes'), 401);
    expectProblem(await gw.api('POST', '/api/v1/events/7/promo-codes', { body: { code: 'ABC', percent_off: 5 } }), 401);
  });

  it('refuses unknown or server-owned fields, NUL bytes and numbers out of range with 422 before catalog', async () => {
    const before = calls();
    for (const body of [
      { code: 'HIFA10', percent_off: 101 },
      { code: 'HIFA10', percent_off: 0 },
      { code: 'HIFA10', amount_off: -5 },
      { code: 'HIFA10', percent_off: 10, max_uses: 0 },
      { code: 'HIFA10', percent_off: 10, max_uses_per_user: 1e9 },
      { code: 'HIFA10', percent_off: 10, uses: 0 },
      { code: 'HIFA10', percent_off: 10, id: 9 },
      { code: 'HIFA10', percent_off: 10, event_id: 9 },
      { code: 'HI\u0000FA', percent_off: 10 },
      { code: 'HIFA10', percent_off: 10, ticket_type_ids: [0] },
      { percent_off: 10 },
    ]) {
      expectProblem(await gw.api('POST', '/api/v1/events/7/promo-codes', { token: token(), body }), 422);
    }
    expectProblem(await gw.api('GET', '/api/v1/events/0/promo-codes/4', { token: token() }), 422);
    expectProblem(await gw.api('GET', '/api/v1/events/7/promo-codes/99999999999', { token: token() }), 422);
    expectProblem(await gw.api('PUT', '/api/v1/events/7/promo-codes/4', { token: token(), body: {} }), 422);
    expect(calls()).toBe(before);
  });

  it("answers catalog's refusals as problems: another organizer's event 403, a duplicate 409", async () => {
    catalog.failure = new ForbiddenError("Only the event's organizer or an admin may do this");
    expectProblem(await gw.api('GET', '/api/v1/events/8/promo-codes', { token: token() }), 403);
    catalog.failure = new ConflictError('The event already has a promo code of this spelling');
    const body = { code: 'HIFA10', percent_off: 10 };
    const [first, second] = await Promise.all([
      gw.api('POST', '/api/v1/events/7/promo-codes', { token: token(), body }),
      gw.api('POST', '/api/v1/events/7/promo-codes', { token: token(), body }),
    ]);
    expectProblem(first, 409);
    expectProblem(second, 409);
  });
});
