import type { ServiceBroker } from 'moleculer';
import {
  actionMetrics,
  createBroker,
  createDatabase,
  createLogger,
  createNodeMetricsRegistry,
  EVENT_LOOP_SAMPLING_MS,
  healthAction,
  NodeReadiness,
  startOpsServer,
  type Database,
  type OpsServer,
} from '@ticketpro/shared';
import { createTestDatabase, testConfig, uniqueName, type TestDatabase } from '@ticketpro/shared/testing';

const logger = createLogger('test', 'silent');

jest.setTimeout(30_000);

/**
 * A service process's ops endpoints, on a broker running a catalog whose health action asks a
 * real Postgres database (the one `<service>.health` every service has).
 */
describe('ops server', () => {
  let database: TestDatabase;
  let db: Database;
  let broker: ServiceBroker;
  let readiness: NodeReadiness;
  let server: OpsServer;
  let baseUrl: string;

  beforeAll(async () => {
    database = await createTestDatabase('ops_server');
    db = await createDatabase({ schema: 'catalog', url: database.url, dataDir: '.data', migrations: [] });
    const metrics = createNodeMetricsRegistry();
    const config = testConfig({ NAMESPACE: uniqueName('ops_server') });
    broker = createBroker({ config, role: 'catalog', logger, middlewares: [actionMetrics(metrics)] });
    broker.createService({ name: 'catalog', actions: { health: healthAction(() => db) } });
    readiness = new NodeReadiness(broker);
    server = await startOpsServer({ port: 0, host: '127.0.0.1', readiness, metrics, logger });
    baseUrl = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server?.close();
    await broker?.stop();
    await db?.destroy();
    await database?.drop();
  });

  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${baseUrl}${path}`, init);
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, text, body: type.includes('json') ? JSON.parse(text) : undefined };
  };

  it('is live at once, and ready only once the broker has started (starting until then)', async () => {
    expect(await get('/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get('/health/ready')).toMatchObject({ status: 503, body: { status: 'starting' } });
    await broker.start();
    expect(await get('/health/ready')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('serves process metrics and the actions this process ran, readiness calls included', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toMatch(/moleculer_action_calls_total\{action="catalog\.health",outcome="ok"\} [1-9]/);
  });

  it('samples the event loop every EVENT_LOOP_SAMPLING_MS, not 100 times a second', async () => {
    await get('/metrics'); // each scrape starts the delay histogram afresh
    await new Promise((resolve) => setTimeout(resolve, 3 * EVENT_LOOP_SAMPLING_MS));
    const { text } = await get('/metrics');
    const shortest = Number(/^nodejs_eventloop_lag_min_seconds (\S+)$/m.exec(text)?.[1]);
    // The time between two samples: never shorter than the sampling interval; with no sample at
    // all, the histogram's empty minimum (about 9e9 s).
    expect(shortest).toBeGreaterThanOrEqual((EVENT_LOOP_SAMPLING_MS * 0.95) / 1000);
    expect(shortest).toBeLessThan(10);
  });

  it('answers problem+json 404 to any other path or method', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/health'],
      ['POST', '/metrics'],
      ['DELETE', '/health/live'],
    ]) {
      const res = await get(path, { method });
      expect(res.status).toBe(404);
      expect(res.type).toMatch(/^application\/problem\+json/);
      expect(res.body).toEqual({
        type: 'urn:ticketpro:problem:not-found',
        title: 'Not Found',
        status: 404,
        detail: `No route for ${method} ${path}`,
        instance: path,
      });
    }
  });

  it("is not ready while the service's database is unreachable, and still live", async () => {
    await database.drop();
    expect(await get('/health/ready')).toMatchObject({ status: 503, body: { status: 'unavailable' } });
    expect(await get('/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('answers draining for good once a shutdown begins', async () => {
    readiness.startDraining();
    expect(await get('/health/ready')).toMatchObject({ status: 503, body: { status: 'draining' } });
    expect(await get('/health/live')).toMatchObject({ status: 200 });
  });

  it('refuses to start on a port already taken', async () => {
    await expect(
      startOpsServer({ port: server.port, host: '127.0.0.1', readiness, metrics: createNodeMetricsRegistry(), logger }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
