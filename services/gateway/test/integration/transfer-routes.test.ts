import { NotFoundError, type ActionOf } from '@ticketpro/shared';
import { expectProblem } from '@ticketpro/shared/testing';
import { IdentityStandIn, gatewayForFile, refusalCheck } from '../support/gateway';
import { ACCEPTED_TRANSFER, SAMPLE_REVOCATIONS, SAMPLE_TRANSFER, TicketingStandIn } from '../support/ticketing';

/** The transfer routes and the revoked-codes feed call their ticketing actions with the params the contract fixes. */
describe('gateway: transfer routes', () => {
  const identity = new IdentityStandIn();
  const ticketing = new TicketingStandIn();
  const [key] = identity.signingKeys;
  const gw = gatewayForFile(identity, ticketing);
  const expectRefused = refusalCheck(gw, ticketing);

  const owner = () => key.sign({ sub: '42', role: 'user' });
  const friend = () => key.sign({ sub: '44', role: 'user' });
  const admin = () => key.sign({ sub: '1', role: 'admin' });
  const callsTo = (action: ActionOf<'ticketing'>) => ticketing.callsOf(action).length;

  describe('POST /tickets/{id}/transfer', () => {
    it('passes the ticket id, email and message on with the caller, and answers 201 with the offer', async () => {
      const res = await gw.api('POST', '/api/v1/tickets/43/transfer', {
        token: owner(),
        body: { email: 'Friend@example.com', message: 'Enjoy' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ ...SAMPLE_TRANSFER, message: 'Enjoy' });
      const call = ticketing.lastCall('ticketing.transfers.offer');
      expect(call.params).toEqual({ id: 43, email: 'Friend@example.com', message: 'Enjoy' });
      expect(call.meta.user).toEqual({ id: 42, role: 'user' });
    });

    it('refuses without a token, unknown or server-owned fields, NUL bytes, bad emails and out-of-range ids', async () => {
      const path = '/api/v1/tickets/43/transfer';
      const body = { email: 'friend@example.com' };
      await expectRefused('POST', path, 'ticketing.transfers.offer', { body }, 401);
      for (const extra of [{ status: 'accepted' }, { from_user_id: 1 }, { to_user_id: 2 }]) {
        await expectRefused(
          'POST',
          path,
          'ticketing.transfers.offer',
          { token: owner(), body: { ...body, ...extra } },
          422,
        );
      }
      await expectRefused(
        'POST',
        path,
        'ticketing.transfers.offer',
        { token: owner(), body: { email: 'friend\u0000@example.com' } },
        422,
        'email',
      );
      await expectRefused('POST', path, 'ticketing.transfers.offer', { token: owner(), body: { email: 'nope' } }, 422);
      await expectRefused(
        'POST',
        '/api/v1/tickets/2147483648/transfer',
        'ticketing.transfers.offer',
        { token: owner(), body },
        422,
      );
      await expectRefused(
        'POST',
        path,
        'ticketing.transfers.offer',
        { token: owner(), body: { ...body, message: 'x'.repeat(501) } },
        422,
      );
    });

    it("renders another user's ticket as ticketing answers it: 404, never data", async () => {
      ticketing.failure = new NotFoundError('Ticket not found');
      const res = await gw.api('POST', '/api/v1/tickets/43/transfer', {
        token: friend(),
        body: { email: 'x@example.com' },
      });
      expectProblem(res, 404);
      expect(res.body).not.toHaveProperty('ticket_id');
    });

    it('passes concurrent repeats each on, for ticketing to decide', async () => {
      const before = callsTo('ticketing.transfers.offer');
      const answers = await Promise.all(
        Array.from({ length: 4 }, () =>
          gw.api('POST', '/api/v1/tickets/43/transfer', { token: owner(), body: { email: 'friend@example.com' } }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
      expect(callsTo('ticketing.transfers.offer')).toBe(before + 4);
    });
  });

  describe('accept, cancel, owners', () => {
    it('accepts by the offer id', async () => {
      const res = await gw.api('POST', '/api/v1/tickets/transfers/71/accept', { token: friend() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(ACCEPTED_TRANSFER);
      expect(ticketing.lastCall('ticketing.transfers.accept').params).toEqual({ id: 71 });
      await expectRefused(
        'POST',
        '/api/v1/tickets/transfers/0/accept',
        'ticketing.transfers.accept',
        { token: friend() },
        422,
      );
      await expectRefused(
        'POST',
        '/api/v1/tickets/transfers/71/accept',
        'ticketing.transfers.accept',
        { token: friend(), body: { to_user_id: 44 } },
        422,
      );
    });

    it('cancels by the offer id and reads the owners by the ticket id', async () => {
      const cancelled = await gw.api('DELETE', '/api/v1/tickets/transfers/71', { token: owner() });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      const owners = await gw.api('GET', '/api/v1/tickets/43/owners', { token: owner() });
      expect(owners.status).toBe(200);
      expect(owners.body.owners).toHaveLength(1);
      expect(ticketing.lastCall('ticketing.transfers.owners').params).toEqual({ id: 43 });
      await expectRefused(
        'GET',
        '/api/v1/tickets/99999999999/owners',
        'ticketing.transfers.owners',
        { token: owner() },
        422,
      );
    });
  });

  describe('POST /admin/tickets/transfer', () => {
    it('passes ticket id, email and message on, and refuses unknown fields and NUL bytes', async () => {
      const body = { ticket_id: 43, new_owner_email: 'friend@example.com' };
      const res = await gw.api('POST', '/api/v1/admin/tickets/transfer', { token: admin(), body });
      expect(res.status).toBe(200);
      expect(ticketing.lastCall('ticketing.transfers.adminTransfer').params).toEqual(body);
      await expectRefused(
        'POST',
        '/api/v1/admin/tickets/transfer',
        'ticketing.transfers.adminTransfer',
        { token: admin(), body: { ...body, user_id: 44 } },
        422,
      );
      await expectRefused(
        'POST',
        '/api/v1/admin/tickets/transfer',
        'ticketing.transfers.adminTransfer',
        { token: admin(), body: { ...body, new_owner_email: 'a\u0000@example.com' } },
        422,
      );
      await expectRefused(
        'POST',
        '/api/v1/admin/tickets/transfer',
        'ticketing.transfers.adminTransfer',
        { token: admin(), body: { ...body, ticket_id: -1 } },
        422,
      );
    });
  });

  describe('GET /validation/revocations', () => {
    it('passes since, event and page size on with their types', async () => {
      const res = await gw.api('GET', '/api/v1/validation/revocations?since=2027-02-01T00:00:00Z&event_id=7&limit=50', {
        token: admin(),
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(SAMPLE_REVOCATIONS);
      expect(ticketing.lastCall('ticketing.validation.revocations').params).toEqual({
        since: '2027-02-01T00:00:00Z',
        event_id: 7,
        limit: 50,
      });
    });

    it('refuses a bad instant, an out-of-range page, unknown fields and anonymous callers', async () => {
      const feed = 'ticketing.validation.revocations';
      await expectRefused('GET', '/api/v1/validation/revocations', feed, {}, 401);
      await expectRefused('GET', '/api/v1/validation/revocations?since=yesterday', feed, { token: admin() }, 422);
      await expectRefused('GET', '/api/v1/validation/revocations?limit=1001', feed, { token: admin() }, 422);
      await expectRefused('GET', '/api/v1/validation/revocations?reason=refunded', feed, { token: admin() }, 422);
      await expectRefused('GET', '/api/v1/validation/revocations?since=2027%00', feed, { token: admin() }, 422);
    });
  });
});
