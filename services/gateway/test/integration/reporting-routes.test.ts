import { parse } from 'csv-parse/sync';
import { ConflictError, ForbiddenError, NotFoundError, type CsvSlice } from '@ticketpro/shared';
import { ServiceStandIn, expectProblem, type StandInAnswers } from '@ticketpro/shared/testing';
import { EXAMPLE_DASHBOARD, EXAMPLE_EVENT_ANALYTICS_DETAIL } from '../../src/routes/examples';
import { IdentityStandIn, startGateway, type Gateway } from '../support/gateway';

/** Rows the export stand-in holds: more than two slices' worth, so the gateway must ask three times. */
const ROWS = 2_345;

/** When the read model was current as the first slice was read. */
const FIRST_AS_OF = '2027-01-20T09:59:58.000Z';

/** reporting's exports as slices of `ROWS` rows (`ticket_id,holder_name`), and fixed figures. */
class ReportingStandIn extends ServiceStandIn<'reporting'> {
  /** Makes the slice after this id fail, to cut a stream short. */
  failAfter?: number;

  constructor() {
    super('reporting');
  }

  private slice(after: number, limit: number): CsvSlice {
    if (after === this.failAfter) throw new ConflictError('the slice failed');
    const ids = Array.from({ length: Math.min(limit, ROWS - after) }, (_, i) => after + i + 1);
    const lines = ids.map((id) => `${id},"Holder, ${id}"\r\n`).join('');
    const last = ids[ids.length - 1];
    return {
      content_type: 'text/csv',
      body: (after === 0 ? 'ticket_id,holder_name\r\n' : '') + lines,
      next_after: last < ROWS ? last : null,
      // Each slice is read a moment later: the file says the first one's.
      as_of: new Date(Date.parse(FIRST_AS_OF) + after).toISOString(),
    };
  }

  protected answers(): StandInAnswers<'reporting'> {
    const exportOf = (ctx: { params: { id: number; after: number; limit: number } }) => {
      if (ctx.params.id === 404) throw new NotFoundError('Event 404 not found');
      if (ctx.params.id === 403) throw new ForbiddenError("Only an admin or an organizer may see an event's exports");
      return this.slice(ctx.params.after, ctx.params.limit);
    };
    return {
      'dashboard.get': () => ({ ...EXAMPLE_DASHBOARD, secret: 'dropped' }),
      'events.get': () => EXAMPLE_EVENT_ANALYTICS_DETAIL,
      'exports.orders': exportOf,
      'exports.attendees': exportOf,
    };
  }
}

describe('gateway: reporting routes', () => {
  const identity = new IdentityStandIn();
  const reporting = new ReportingStandIn();
  const [key] = identity.signingKeys;
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway([identity.schema(), reporting.schema()]);
  });
  afterAll(() => gw.close());
  beforeEach(() => {
    reporting.calls = [];
    reporting.failAfter = undefined;
  });

  const admin = () => key.sign({ sub: '1', role: 'admin' });
  const organizer = () => key.sign({ sub: '3', role: 'organizer' });

  it('answers the dashboard with its schema, the period defaulting to 30 days, passing the caller along', async () => {
    const res = await gw.api('GET', '/api/v1/admin/dashboard', { token: admin() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(EXAMPLE_DASHBOARD);
    const call = reporting.lastCall('reporting.dashboard.get');
    expect(call.params).toEqual({ days: 30 });
    expect(call.meta.user).toMatchObject({ id: 1, role: 'admin' });
  });

  it('refuses bad periods and ids before reporting is asked (422)', async () => {
    for (const path of [
      '/api/v1/admin/dashboard?days=0',
      '/api/v1/admin/dashboard?days=99999999999',
      '/api/v1/admin/dashboard?days=%00',
      '/api/v1/admin/dashboard?days=7&extra=1',
      '/api/v1/admin/analytics/events/abc',
      '/api/v1/admin/analytics/events/2147483648',
      '/api/v1/events/1%00/attendees.csv',
      '/api/v1/events/0/orders.csv',
    ]) {
      expectProblem(await gw.api('GET', path, { token: admin() }), 422);
    }
    expect(reporting.calls).toEqual([]);
  });

  it('needs a token (401)', async () => {
    expectProblem(await gw.api('GET', '/api/v1/admin/analytics/events/1'), 401);
    expectProblem(await gw.api('GET', '/api/v1/events/1/orders.csv'), 401);
  });

  it('streams an export slice after slice, as one CSV file a parser reads whole', async () => {
    const res = await fetch(`${gw.baseUrl}/api/v1/events/7/attendees.csv`, {
      headers: { authorization: `Bearer ${organizer()}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="event-7-attendees.csv"');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('x-as-of')).toBe(FIRST_AS_OF);
    const rows: { ticket_id: string; holder_name: string }[] = parse(await res.text(), { columns: true });
    expect(rows).toHaveLength(ROWS);
    expect(rows[ROWS - 1]).toEqual({ ticket_id: String(ROWS), holder_name: `Holder, ${ROWS}` });
    expect(reporting.callsOf('reporting.exports.attendees').map((c) => c.params)).toEqual([
      { id: 7, after: 0, limit: 1000 },
      { id: 7, after: 1000, limit: 1000 },
      { id: 7, after: 2000, limit: 1000 },
    ]);
  });

  it("answers a refused export as a problem, before any CSV is sent (another organizer's event: 404)", async () => {
    expectProblem(await gw.api('GET', '/api/v1/events/404/orders.csv', { token: organizer() }), 404);
    expectProblem(await gw.api('GET', '/api/v1/events/403/orders.csv', { token: organizer() }), 403);
  });

  it('cuts the stream short when a later slice fails: the file is never complete by accident', async () => {
    reporting.failAfter = 1000;
    const res = await fetch(`${gw.baseUrl}/api/v1/events/7/orders.csv`, {
      headers: { authorization: `Bearer ${admin()}` },
    });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('answers concurrent exports of one event alike', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => gw.api('GET', '/api/v1/events/7/orders.csv', { token: admin() })),
    );
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });
});
