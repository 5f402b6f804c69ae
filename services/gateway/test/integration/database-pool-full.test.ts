import type { Knex } from 'knex';
import { createCatalogService, type CatalogRuntime } from '@ticketpro/catalog';
import { eventually, expectProblem, standInService } from '@ticketpro/shared/testing';
import { startGateway, type Gateway } from '../support/gateway';

const ACQUIRE_TIMEOUT_MS = 1000;

/**
 * A service whose connection pool stays full (every connection taken by work that does not end)
 * answers a buyer 503 with Retry-After once `DATABASE_ACQUIRE_TIMEOUT_MS` has passed, not after
 * the call's own timeout or the setting's 10 s default.
 */
describe('gateway in front of a service whose database pool is full', () => {
  let gw: Gateway;
  let catalog: CatalogRuntime;

  beforeAll(async () => {
    gw = await startGateway(
      [
        standInService('identity', {
          health: () => ({ status: 'ok' as const }),
          'tokens.revocations': () => ({ users: [], sessions: [] }),
          'users.names': async () => [],
        }),
      ],
      { DATABASE_POOL_MAX: 2, DATABASE_ACQUIRE_TIMEOUT_MS: ACQUIRE_TIMEOUT_MS, EVENT_READ_CACHE_MS: 0 },
      {
        realServices: {
          catalog: (deps) => createCatalogService(deps, { onStarted: (started) => (catalog = started) }),
        },
      },
    );
  });
  afterAll(() => gw?.close());

  it('answers 503 problem+json with Retry-After within the acquire timeout, and serves again once a connection is free', async () => {
    const db = catalog.resources.db;
    // Both of the pool's connections, held by transactions that wait on the test. A periodic task
    // of catalog's may have one for a moment: taking it is tried again until it is free.
    const holders: Knex.Transaction[] = [];
    try {
      while (holders.length < 2) holders.push(await eventually(() => db.transaction().catch(() => false)));
      const started = Date.now();
      const res = await gw.api('GET', '/api/v1/events/1');
      const waited = Date.now() - started;

      expectProblem(res, 503);
      expect(res.body.type).toBe('urn:ticketpro:problem:service-unavailable');
      expect(res.headers.get('retry-after')).toBe('5');
      expect(waited).toBeGreaterThanOrEqual(ACQUIRE_TIMEOUT_MS);
      // Within the read's own timeout (5 s), which is what answered before the setting.
      expect(waited).toBeLessThan(ACQUIRE_TIMEOUT_MS + 2500);
    } finally {
      await Promise.all(holders.map((trx) => trx.rollback()));
    }

    expectProblem(await gw.api('GET', '/api/v1/events/1'), 404);
  });
});
