import { ConflictError, localDomainEvents, NotFoundError, outboxEntry } from '@ticketpro/shared';
import { expectProblem, testConfig, type StandInAnswers, type StandInContext } from '@ticketpro/shared/testing';
import { CatalogStandIn, EVENT_VIEW, SAMPLE_EVENT } from '../support/catalog';
import { IdentityStandIn, startGateway, type Gateway } from '../support/gateway';

/**
 * Catalog whose event reads see the location as it is when the call arrives, and answer when
 * the test lets them (`held`), so that a read can be made to straddle a write.
 */
class GatedCatalog extends CatalogStandIn {
  location = SAMPLE_EVENT.location;
  held = false;
  /** Releases of the reads held so far, in arrival order. */
  readonly heldReads: (() => void)[] = [];
  /** Set to refuse event changes (409). */
  refuseChanges = false;

  protected override answers(): StandInAnswers<'catalog'> {
    return {
      ...super.answers(),
      'events.get': async (ctx: StandInContext<'catalog.events.get'>) => {
        const view = { ...SAMPLE_EVENT, id: ctx.params.id, location: this.location };
        if (this.held) await new Promise<void>((resolve) => this.heldReads.push(resolve));
        return view;
      },
      'events.update': (ctx: StandInContext<'catalog.events.update'>) => {
        if (this.refuseChanges) throw new ConflictError('Capacity below the seats sold');
        this.location = ctx.params.location ?? this.location;
        return { ...SAMPLE_EVENT, location: this.location };
      },
    };
  }
}

const eventually = async (what: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('not within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('gateway: the event read cache (GET /events/{id})', () => {
  const identity = new IdentityStandIn();
  const catalog = new GatedCatalog();
  const [key] = identity.signingKeys;
  const organizer = () => key.sign({ sub: '3', role: 'organizer' });
  const reads = () => catalog.callsOf('catalog.events.get').length;
  let gw: Gateway;

  beforeAll(async () => {
    // A long TTL: nothing in these tests may expire by itself.
    gw = await startGateway([identity.schema(), catalog.schema()], { EVENT_READ_CACHE_MS: 60_000 });
  });
  afterAll(() => gw.close());
  beforeEach(() => {
    catalog.held = false;
    catalog.refuseChanges = false;
    catalog.failure = undefined;
    catalog.calls = [];
    catalog.heldReads.length = 0;
    gw.app.eventReads!.invalidateAll();
  });

  it('answers a second read from memory, the same bytes, with an ETag, whoever asks', async () => {
    const first = await gw.api('GET', '/api/v1/events/7');
    const second = await gw.api('GET', '/api/v1/events/7', { token: organizer() });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ ...EVENT_VIEW, location: catalog.location });
    expect(second.body).toEqual(first.body);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(first.headers.get('etag')).toMatch(/^"[\w-]{27}"$/);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(first.headers.get('cache-control')).toBe('public, no-cache');
    expect(reads()).toBe(1);
  });

  it('answers 304 without a body to If-None-Match naming the current ETag, in any of its forms', async () => {
    const { headers } = await gw.api('GET', '/api/v1/events/7');
    const etag = headers.get('etag')!;
    for (const tag of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await gw.api('GET', '/api/v1/events/7', { headers: { 'if-none-match': tag } });
      expect(res.status).toBe(304);
      expect(res.body).toBe('');
      expect(res.headers.get('etag')).toBe(etag);
    }
    const stale = await gw.api('GET', '/api/v1/events/7', { headers: { 'if-none-match': '"other"' } });
    expect(stale.status).toBe(200);
    expect(stale.body.id).toBe(7);
    expect(reads()).toBe(1);
  });

  it('drops the entry when this gateway forwards a change, before the change is answered', async () => {
    const before = await gw.api('GET', '/api/v1/events/7');
    const put = await gw.api('PUT', '/api/v1/events/7', { token: organizer(), body: { location: 'Mutare Museum' } });
    expect(put.status).toBe(200);
    const after = await gw.api('GET', '/api/v1/events/7', {
      headers: { 'if-none-match': before.headers.get('etag')! },
    });
    expect(after.status).toBe(200);
    expect(after.body.location).toBe('Mutare Museum');
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(reads()).toBe(2);
  });

  it('keeps the entry when catalog refuses the change (4xx): nothing changed', async () => {
    await gw.api('GET', '/api/v1/events/7');
    catalog.refuseChanges = true;
    const put = await gw.api('PUT', '/api/v1/events/7', { token: organizer(), body: { location: 'Gweru' } });
    expectProblem(put, 409);
    await gw.api('GET', '/api/v1/events/7');
    expect(reads()).toBe(1);
  });

  it('drops the entry on catalog’s event of a change made elsewhere', async () => {
    await gw.api('GET', '/api/v1/events/7');
    await localDomainEvents.publish(outboxEntry('catalog.ticket_type.deleted', { id: 11, event_id: 7 }).envelope);
    await gw.api('GET', '/api/v1/events/7');
    expect(reads()).toBe(2);
  });

  it('does not keep an answer read before a change that was answered while it was on its way', async () => {
    catalog.location = 'Old Location';
    catalog.held = true;
    // Read 1 reaches catalog before the change and is held there.
    const staleRead = gw.api('GET', '/api/v1/events/7');
    await eventually(() => catalog.heldReads.length === 1);
    catalog.held = false;
    const put = await gw.api('PUT', '/api/v1/events/7', { token: organizer(), body: { location: 'New Location' } });
    expect(put.status).toBe(200);
    // Read 2 began after the change was answered: it must not wait for read 1's old answer.
    catalog.held = true;
    const freshRead = gw.api('GET', '/api/v1/events/7');
    await eventually(() => catalog.heldReads.length === 2);
    catalog.heldReads[1]();
    expect((await freshRead).body.location).toBe('New Location');
    // The old answer arrives last: its own request gets it, the cache does not.
    catalog.heldReads[0]();
    expect((await staleRead).body.location).toBe('Old Location');
    catalog.held = false;
    expect((await gw.api('GET', '/api/v1/events/7')).body.location).toBe('New Location');
    expect(reads()).toBe(2);
  });

  it('makes one catalog call for concurrent reads of an event not kept yet', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => gw.api('GET', '/api/v1/events/9')));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((a) => a.headers.get('etag'))).size).toBe(1);
    expect(reads()).toBe(1);
  });

  it('keeps no failure: a 404 is asked again', async () => {
    catalog.failure = new NotFoundError('Event not found');
    expectProblem(await gw.api('GET', '/api/v1/events/8'), 404);
    catalog.failure = undefined;
    expect((await gw.api('GET', '/api/v1/events/8')).status).toBe(200);
    expect(reads()).toBe(2);
  });

  it.each(['7%00', '0', '99999999999', 'abc'])('answers 422 for the id %s without a catalog call', async (id) => {
    expectProblem(await gw.api('GET', `/api/v1/events/${id}`), 422);
    expect(reads()).toBe(0);
  });

  it('documents the 304 answer in the OpenAPI document', async () => {
    const doc = (await gw.api('GET', '/api/openapi.json')).body;
    const operation = doc.paths['/api/v1/events/{id}'].get;
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '304', '404']));
    expect(operation.description).toContain('If-None-Match');
  });
});

describe('gateway: the event read cache, bounded', () => {
  const identity = new IdentityStandIn();
  const catalog = new CatalogStandIn();
  const reads = (id: number) => catalog.callsOf('catalog.events.get').filter((c) => c.params.id === id).length;

  it('forgets an answer once EVENT_READ_CACHE_MS has passed', async () => {
    const gw = await startGateway([identity.schema(), catalog.schema()], { EVENT_READ_CACHE_MS: 300 });
    try {
      await gw.api('GET', '/api/v1/events/21');
      await gw.api('GET', '/api/v1/events/21');
      expect(reads(21)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await gw.api('GET', '/api/v1/events/21');
      expect(reads(21)).toBe(2);
    } finally {
      await gw.close();
    }
  });

  it('keeps at most EVENT_READ_CACHE_MAX_ENTRIES events, the least recently read dropped first', async () => {
    const gw = await startGateway([identity.schema(), catalog.schema()], {
      EVENT_READ_CACHE_MS: 60_000,
      EVENT_READ_CACHE_MAX_ENTRIES: 2,
    });
    try {
      for (const id of [31, 32, 31, 33, 31, 32]) await gw.api('GET', `/api/v1/events/${id}`);
      // 33 pushed out 32 (31 had been read since); 31 stayed throughout.
      expect([reads(31), reads(32), reads(33)]).toEqual([1, 2, 1]);
    } finally {
      await gw.close();
    }
  });

  it('with EVENT_READ_CACHE_MS=0 asks catalog every time and sends no ETag', async () => {
    const gw = await startGateway([identity.schema(), catalog.schema()], { EVENT_READ_CACHE_MS: 0 });
    try {
      const first = await gw.api('GET', '/api/v1/events/41');
      const second = await gw.api('GET', '/api/v1/events/41');
      expect(second.body).toEqual(first.body);
      expect(first.headers.get('etag')).toBeNull();
      expect(reads(41)).toBe(2);
      expect(gw.app.eventReads).toBeNull();
    } finally {
      await gw.close();
    }
  });

  it('refuses settings out of range at start', () => {
    expect(() => testConfig({ EVENT_READ_CACHE_MS: -1 })).toThrow(/EVENT_READ_CACHE_MS/);
    expect(() => testConfig({ EVENT_READ_CACHE_MAX_ENTRIES: 0 })).toThrow(/EVENT_READ_CACHE_MAX_ENTRIES/);
  });
});
