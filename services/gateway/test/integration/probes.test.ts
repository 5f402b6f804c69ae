import http from 'node:http';
import { ConflictError, createNodeMetricsRegistry } from '@ticketpro/shared';
import { standInService, expectProblem } from '@ticketpro/shared/testing';
import { healthOnly, IdentityStandIn, startGateway, type Gateway } from '../support/gateway';

// Each case builds apps of its own, which takes seconds on a machine busy with other tests.
jest.setTimeout(60_000);

const ALL_HEALTHY = (['catalog', 'ordering', 'ticketing'] as const).map(healthOnly);

/** Metric names declared by `# TYPE` lines; Prometheus refuses an exposition naming one twice. */
function declaredMetrics(exposition: string): string[] {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith('# TYPE '))
    .map((line) => line.split(' ')[2]);
}

/** A GET over a fresh socket, with the raw `connection` header (fetch hides hop-by-hop headers). */
function rawGet(baseUrl: string, path: string): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${baseUrl}${path}`, { agent: false, headers: { connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      })
      .on('error', reject);
  });
}

describe('gateway: probes and node metrics', () => {
  describe('a gateway running in a node (embedded mode: the services in its process)', () => {
    const identity = new IdentityStandIn();
    const token = identity.signingKeys[0].sign();
    const nodeMetrics = createNodeMetricsRegistry();
    let gw: Gateway;

    beforeAll(async () => {
      gw = await startGateway([identity.schema(), ...ALL_HEALTHY], {}, { nodeMetrics });
    });
    afterAll(() => gw.close());

    it('is live and ready', async () => {
      const live = await gw.api('GET', '/health/live');
      expect(live.status).toBe(200);
      expect(live.body).toEqual({ status: 'ok' });
      const ready = await gw.api('GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ok' });
      // Readiness asked every service of the process, on this node.
      expect(identity.callsOf('identity.health').length).toBeGreaterThan(0);
    });

    it("puts its metrics in the node's registry, which the ops port serves, each metric declared once", async () => {
      await gw.api('GET', '/api/v1/users/17', { token });
      identity.failure = new ConflictError('Email already registered');
      try {
        await gw.api('GET', '/api/v1/users/18', { token });
      } finally {
        identity.failure = undefined;
      }
      identity.failure = new Error('boom');
      try {
        await gw.api('GET', '/api/v1/users/19', { token });
      } finally {
        identity.failure = undefined;
      }

      // Not on the API port unless METRICS_ON_API_PORT says so.
      expectProblem(await gw.api('GET', '/metrics'), 404);
      const text = await nodeMetrics.metrics();
      expect(text).toMatch(/moleculer_action_calls_total\{action="identity\.users\.get",outcome="ok"\} 1\b/);
      expect(text).toMatch(/moleculer_action_calls_total\{action="identity\.users\.get",outcome="client_error"\} 1\b/);
      expect(text).toMatch(/moleculer_action_calls_total\{action="identity\.users\.get",outcome="server_error"\} 1\b/);
      expect(text).toMatch(/moleculer_action_duration_seconds_count\{action="identity\.users\.get"\} 3\b/);
      expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/users\/:id",status_code="200"\} 1\b/);
      const names = declaredMetrics(text);
      expect(names).toEqual(
        expect.arrayContaining([
          'process_cpu_user_seconds_total',
          'http_requests_total',
          'moleculer_action_calls_total',
        ]),
      );
      expect(names.length).toBe(new Set(names).size);
    });

    it('documents both probes in the OpenAPI document, tagged operations', async () => {
      const doc = (await gw.api('GET', '/api/openapi.json')).body;
      const live = doc.paths['/health/live'].get;
      const ready = doc.paths['/health/ready'].get;
      expect(live.tags).toEqual(['operations']);
      expect(ready.tags).toEqual(['operations']);
      const json = (op: any, status: number) => op.responses[status].content['application/json'].schema;
      const statuses = (schema: any) =>
        (schema.properties.status.anyOf ?? [schema.properties.status]).flatMap((s: any) => s.enum);
      expect(statuses(json(live, 200))).toEqual(['ok']);
      expect(statuses(json(ready, 200))).toEqual(['ok']);
      expect(statuses(json(ready, 503))).toEqual(['starting', 'unavailable', 'draining']);
      expect(ready.responses[500].content['application/problem+json'].schema).toEqual({
        $ref: '#/components/schemas/Problem',
      });
    });
  });

  it('without a node, collects the process metrics itself, once, in every app of the process', async () => {
    const first = await startGateway([], { METRICS_ON_API_PORT: true });
    const second = await startGateway([], { METRICS_ON_API_PORT: true });
    try {
      for (const gw of [first, second]) {
        const names = declaredMetrics(String((await gw.api('GET', '/metrics')).body));
        expect(names).toContain('process_cpu_user_seconds_total');
        expect(names).not.toContain('moleculer_action_calls_total');
        expect(names.length).toBe(new Set(names).size);
      }
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('is not ready while a service of its process cannot reach its database', async () => {
    const failingCatalog = standInService('catalog', {
      health() {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
    });
    const gw = await startGateway([healthOnly('identity'), failingCatalog]);
    try {
      const ready = await gw.api('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'unavailable' });
      expect((await gw.api('GET', '/health/live')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('while draining: not ready, still live, and every answer closes its connection', async () => {
    const gw = await startGateway([healthOnly('identity')]);
    try {
      expect(await rawGet(gw.baseUrl, '/')).toEqual({ status: 200, connection: 'keep-alive' });
      gw.readiness.startDraining();
      const ready = await gw.api('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'draining' });
      expect(await rawGet(gw.baseUrl, '/health/live')).toEqual({ status: 200, connection: 'close' });
      expect(await rawGet(gw.baseUrl, '/')).toEqual({ status: 200, connection: 'close' });
      expect(await rawGet(gw.baseUrl, '/no/such/route')).toEqual({ status: 404, connection: 'close' });
    } finally {
      await gw.close();
    }
  });

  it('answers the probes even while it sheds load', async () => {
    const gw = await startGateway([healthOnly('identity')], { LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: 300 });
    try {
      // The load-shedding test's overload: every turn of the event loop takes 400 ms, for more
      // than two of the shedder's one-second samples.
      for (let turn = 0; turn < 6; turn++) {
        const until = Date.now() + 400;
        while (Date.now() < until) {
          // busy
        }
        await new Promise(setImmediate);
      }
      // Sent together, so the shedder judges all three by the same sample.
      const [welcome, live, ready] = await Promise.all(
        ['/', '/health/live', '/health/ready'].map((p) => gw.api('GET', p)),
      );
      expect(welcome.status).toBe(503);
      expect(live.status).toBe(200);
      expect(ready.status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
