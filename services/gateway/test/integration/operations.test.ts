import type { ServiceSchema } from 'moleculer';
import { createBroker, createLogger, NodeReadiness } from '@ticketpro/shared';
import {
  testConfig,
  apiClient,
  expectPreflightAllowsApiCalls,
  waitFor,
  expectProblem,
} from '@ticketpro/shared/testing';
import { buildApp } from '../../src/app';
import { healthOnly, IdentityStandIn, startGateway, type Gateway } from '../support/gateway';

describe('gateway: operations', () => {
  const identity = new IdentityStandIn();
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway(
      [
        identity.schema(),
        healthOnly('catalog'),
        healthOnly('ordering'),
        healthOnly('ticketing'),
        healthOnly('notifications'),
        healthOnly('reporting'),
        healthOnly('reporting'),
      ],
      {
        CORS_ORIGIN: 'https://app.example.com, https://admin.example.com',
        METRICS_ON_API_PORT: true,
      },
    );
  });
  afterAll(() => gw.close());

  it('welcomes at / with links to the docs', async () => {
    const res = await gw.api('GET', '/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      name: 'TicketPro API',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      links: { docs: '/api/docs', openapi: '/api/openapi.json', health: '/health', metrics: '/metrics' },
    });
  });

  it('serves no metrics on the API port by default, nor links to them', async () => {
    const plain = await startGateway([identity.schema()]);
    try {
      expectProblem(await plain.api('GET', '/metrics'), 404);
      expect((await plain.api('GET', '/')).body.links).toEqual({
        docs: '/api/docs',
        openapi: '/api/openapi.json',
        health: '/health',
      });
      const doc = (await plain.api('GET', '/api/openapi.json')).body;
      expect(doc.paths['/metrics']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('reports all five services healthy, passing the request id along', async () => {
    const res = await gw.api('GET', '/health', { headers: { 'x-request-id': 'probe-1' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      services: {
        identity: 'ok',
        catalog: 'ok',
        ordering: 'ok',
        ticketing: 'ok',
        notifications: 'ok',
        reporting: 'ok',
      },
    });
    expect(identity.lastCall('identity.health').requestID).toBe('probe-1');
  });

  it('answers 503 naming the services that do not answer, within the probe timeout', async () => {
    const partial = await startGateway([identity.schema(), healthOnly('ordering')]);
    try {
      const started = Date.now();
      const res = await partial.api('GET', '/health');
      expect(Date.now() - started).toBeLessThan(2000);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        status: 'degraded',
        services: {
          identity: 'ok',
          catalog: 'unavailable',
          ordering: 'ok',
          ticketing: 'unavailable',
          notifications: 'unavailable',
          reporting: 'unavailable',
        },
      });
    } finally {
      await partial.close();
    }
  });

  it('answers 503 starting, naming the services already up, until every service of its process has started', async () => {
    // As runNode serves it: listening while the broker starts its services, one of them slow.
    const config = testConfig();
    const logger = createLogger('gateway-test', config.LOG_LEVEL);
    const broker = createBroker({ config, role: 'gateway-starting', logger });
    let finishCatalogStart!: () => void;
    const catalogStarted = new Promise<void>((resolve) => (finishCatalogStart = resolve));
    const slowCatalog: ServiceSchema = { ...healthOnly('catalog'), started: () => catalogStarted };
    for (const service of [
      healthOnly('identity'),
      slowCatalog,
      healthOnly('ordering'),
      healthOnly('ticketing'),
      healthOnly('notifications'),
      healthOnly('reporting'),
    ])
      broker.createService(service);
    const app = await buildApp({ broker, config, logger, readiness: new NodeReadiness(broker) });
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const api = apiClient(baseUrl);
    const starting = broker.start();
    try {
      await waitFor(`${baseUrl}/health`, (_status, body) => body?.services?.ticketing === 'ok');
      const health = await api('GET', '/health');
      expect(health.status).toBe(503);
      expect(health.body).toEqual({
        status: 'starting',
        services: {
          identity: 'ok',
          catalog: 'starting',
          ordering: 'ok',
          ticketing: 'ok',
          notifications: 'ok',
          reporting: 'ok',
        },
      });
      expect(await api('GET', '/health/ready')).toMatchObject({ status: 503, body: { status: 'starting' } });
      const call = await api('GET', '/api/v1/events');
      expectProblem(call, 503);
      expect(call.headers.get('retry-after')).toBe('5');

      finishCatalogStart();
      await starting;
      // Then it asks identity for the token revocations made before it started, and is up.
      await waitFor(`${baseUrl}/health`, (status) => status === 200, 5000);
      const started = await api('GET', '/health');
      expect(started.status).toBe(200);
      expect(started.body).toEqual({
        status: 'ok',
        services: {
          identity: 'ok',
          catalog: 'ok',
          ordering: 'ok',
          ticketing: 'ok',
          notifications: 'ok',
          reporting: 'ok',
        },
      });
    } finally {
      finishCatalogStart();
      await app.close();
      await starting.catch(() => undefined);
      await broker.stop();
    }
  });

  it('counts requests by route pattern and times service calls by action and outcome', async () => {
    await gw.api('GET', '/api/v1/users/17', { token: identity.signingKeys[0].sign() });
    await gw.api('GET', '/api/v1/users/18', { token: identity.signingKeys[0].sign() });
    await gw.api('GET', '/no/such/route');
    const res = await gw.api('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = String(res.body);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/users\/:id",status_code="200"\} 2\b/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status_code="404"\} 1\b/);
    expect(text).not.toContain('/no/such/route');
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/api\/v1\/users\/:id",status_code="200"\}/,
    );
    expect(text).toMatch(/gateway_service_call_duration_seconds_count\{action="identity.users.get",outcome="ok"\} 2\b/);
    expect(text).toMatch(/gateway_service_call_duration_seconds_count\{action="identity.keys",outcome="ok"\} 1\b/);
  });

  it('times failed service calls with their outcome', async () => {
    identity.failure = new Error('boom');
    try {
      await gw.api('POST', '/api/v1/auth/logout', { body: { refresh_token: 'r1' } });
    } finally {
      identity.failure = undefined;
    }
    const text = String((await gw.api('GET', '/metrics')).body);
    expect(text).toMatch(
      /gateway_service_call_duration_seconds_count\{action="identity.logout",outcome="server_error"\} 1\b/,
    );
  });

  it('sends helmet headers and answers CORS preflights for the configured origins only', async () => {
    const res = await gw.api('GET', '/');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    // An API route's answer, a problem included, carries the same set as an answer before routing.
    const HELMET_HEADERS = [
      'content-security-policy',
      'x-frame-options',
      'strict-transport-security',
      'referrer-policy',
    ];
    const apiAnswer = await gw.api('GET', '/api/v1/events/999999999');
    const beforeRouting = await gw.api('GET', '/api/v1/users/%E0%A4%A');
    for (const header of HELMET_HEADERS) {
      expect(apiAnswer.headers.get(header)).toEqual(expect.any(String));
      expect(apiAnswer.headers.get(header)).toBe(beforeRouting.headers.get(header));
    }

    const preflight = (origin: string) =>
      fetch(`${gw.baseUrl}/api/v1/auth/login`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight('https://admin.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    expect((await preflight('https://evil.example.net')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets browser apps on an allowed origin use every method and the headers the API reads', async () => {
    await expectPreflightAllowsApiCalls(`${gw.baseUrl}/api/v1/orders/1`, 'https://app.example.com');
  });

  it('sends the security headers with an error raised before routing (a malformed path encoding)', async () => {
    const res = await gw.api('GET', '/api/v1/users/%E0%A4%A');
    expectProblem(res, 400);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toEqual(expect.any(String));
  });

  describe('OpenAPI', () => {
    // Each API route with how it takes a token: required, optional (public, caller passed along) or not at all.
    const API_ROUTES: [string, string, 'required' | 'optional' | 'none'][] = [
      ['post', '/api/v1/auth/register', 'none'],
      ['post', '/api/v1/auth/login', 'none'],
      ['post', '/api/v1/auth/refresh', 'none'],
      ['post', '/api/v1/auth/logout', 'none'],
      ['get', '/api/v1/auth/me', 'required'],
      ['get', '/api/v1/users', 'required'],
      ['get', '/api/v1/users/{id}', 'required'],
      ['put', '/api/v1/users/{id}', 'required'],
      ['delete', '/api/v1/users/{id}', 'required'],
      ['get', '/api/v1/events', 'optional'],
      ['post', '/api/v1/events', 'required'],
      ['get', '/api/v1/events/{id}', 'optional'],
      ['put', '/api/v1/events/{id}', 'required'],
      ['delete', '/api/v1/events/{id}', 'required'],
      ['get', '/api/v1/tickets/types', 'optional'],
      ['post', '/api/v1/tickets/types', 'required'],
      ['get', '/api/v1/tickets/types/{id}', 'optional'],
      ['put', '/api/v1/tickets/types/{id}', 'required'],
      ['delete', '/api/v1/tickets/types/{id}', 'required'],
      ['get', '/api/v1/orders', 'required'],
      ['post', '/api/v1/orders', 'required'],
      ['get', '/api/v1/orders/{id}', 'required'],
      ['put', '/api/v1/orders/{id}', 'required'],
      ['delete', '/api/v1/orders/{id}', 'required'],
      ['post', '/api/v1/orders/{id}/pay', 'required'],
      ['post', '/api/v1/orders/{id}/refund', 'required'],
      ['post', '/api/v1/orders/{id}/payments/cash', 'required'],
      ['get', '/api/v1/orders/{id}/payments', 'required'],
      ['post', '/api/v1/orders/{id}/resend', 'required'],
      ['get', '/api/v1/notifications', 'required'],
      ['get', '/api/v1/admin/dashboard', 'required'],
      ['get', '/api/v1/admin/analytics/sales', 'required'],
      ['get', '/api/v1/admin/analytics/events', 'required'],
      ['get', '/api/v1/admin/analytics/events/{id}', 'required'],
      ['get', '/api/v1/events/{id}/orders.csv', 'required'],
      ['get', '/api/v1/events/{id}/attendees.csv', 'required'],
      ['post', '/api/v1/payments/webhooks/stripe', 'none'],
      ['post', '/api/v1/payments/webhooks/paynow', 'none'],
      ['get', '/api/v1/payments/transactions/{id}', 'required'],
      ['post', '/api/v1/payments/transactions/{id}/settle', 'required'],
      ['get', '/api/v1/tickets', 'required'],
      ['post', '/api/v1/tickets', 'required'],
      ['get', '/api/v1/tickets/{id}', 'required'],
      ['put', '/api/v1/tickets/{id}', 'required'],
      ['delete', '/api/v1/tickets/{id}', 'required'],
      ['get', '/api/v1/tickets/{id}/qr', 'required'],
      ['get', '/api/v1/tickets/{id}/pdf', 'required'],
      ['post', '/api/v1/validation/validate', 'required'],
      ['post', '/api/v1/validation/checkin', 'required'],
      ['post', '/api/v1/validation/checkout', 'required'],
      ['get', '/api/v1/validation/status/{ticket_id}', 'required'],
      ['get', '/api/v1/validation/keys', 'none'],
      ['get', '/api/v1/validation/revocations', 'required'],
      ['post', '/api/v1/tickets/{id}/transfer', 'required'],
      ['post', '/api/v1/tickets/transfers/{id}/accept', 'required'],
      ['delete', '/api/v1/tickets/transfers/{id}', 'required'],
      ['get', '/api/v1/tickets/{id}/owners', 'required'],
      ['post', '/api/v1/admin/tickets/transfer', 'required'],
      ['get', '/api/v1/events/{id}/promo-codes', 'required'],
      ['post', '/api/v1/events/{id}/promo-codes', 'required'],
      ['get', '/api/v1/events/{id}/promo-codes/{code_id}', 'required'],
      ['put', '/api/v1/events/{id}/promo-codes/{code_id}', 'required'],
      ['delete', '/api/v1/events/{id}/promo-codes/{code_id}', 'required'],
      ['post', '/api/v1/tickets/types/{id}/waitlist', 'required'],
      ['get', '/api/v1/tickets/types/{id}/waitlist', 'required'],
      ['delete', '/api/v1/tickets/types/{id}/waitlist', 'required'],
      ['get', '/api/v1/tickets/types/{id}/waitlist/entries', 'required'],
    ];
    const TOKEN = [{ OAuth2PasswordBearer: [] }, { BearerAuth: [] }];
    const SECURITY = { required: TOKEN, optional: [{}, ...TOKEN], none: [] };
    const authOf = (method: string, path: string) =>
      API_ROUTES.find(([m, p]) => m === method && p === path)?.[2] ?? 'none';
    let doc: any;

    beforeAll(async () => {
      const res = await gw.api('GET', '/api/openapi.json');
      expect(res.status).toBe(200);
      doc = res.body;
    });

    it('is OpenAPI 3.1 with the OAuth2 password flow pointing at login, and bearer', () => {
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.components.securitySchemes).toEqual({
        OAuth2PasswordBearer: { type: 'oauth2', flows: { password: { tokenUrl: '/api/v1/auth/login', scopes: {} } } },
        BearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      });
      expect(Object.keys(doc.components.schemas)).toEqual(
        expect.arrayContaining([
          'Problem',
          'Token',
          'User',
          'Event',
          'EventSummary',
          'TicketType',
          'Organizer',
          'Order',
          'Ticket',
          'ValidationResult',
          'TicketKeys',
        ]),
      );
    });

    it('describes every route with a summary, tags, security and problem responses', () => {
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops as object).map((m) => [m, path]),
      );
      const operations = [
        ['get', '/'],
        ['get', '/health'],
        ['get', '/metrics'],
      ];
      expect(documented).toEqual(expect.arrayContaining([...API_ROUTES.map(([m, p]) => [m, p]), ...operations]));
      const tags = new Set(doc.tags.map((t: { name: string }) => t.name));
      for (const [method, path] of documented) {
        const op = doc.paths[path][method];
        expect(op.summary).toEqual(expect.any(String));
        expect(op.tags).toHaveLength(1);
        expect(tags).toContain(op.tags[0]);
        expect(op.security).toEqual(SECURITY[authOf(method, path)]);
        expect(op.responses['500'].content['application/problem+json'].schema).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      }
      for (const [method, path, auth] of API_ROUTES) {
        const responses = doc.paths[path][method].responses;
        expect(responses['503'].content['application/problem+json'].schema).toEqual({
          $ref: '#/components/schemas/Problem',
        });
        if (auth === 'required') expect(responses['401']).toBeDefined();
        // A bad token on a public read is ignored, so the read never answers 401.
        if (auth === 'optional') expect(responses['401']).toBeUndefined();
      }
      expect(doc.paths['/api/v1/auth/register'].post.responses['409']).toBeDefined();
      expect(doc.paths['/api/v1/auth/login'].post.responses['429']).toBeDefined();
      expect(doc.paths['/api/v1/users/{id}'].get.responses['422']).toBeDefined();
      expect(doc.paths['/api/v1/events'].post.responses['409']).toBeDefined();
      expect(doc.paths['/api/v1/events/{id}'].delete.responses['409']).toBeDefined();
      expect(doc.paths['/api/v1/tickets/types/{id}'].put.responses['409']).toBeDefined();
    });

    it('describes events and ticket types by their shared schemas, tagged as such', () => {
      const success = (path: string, method: string, status: number) =>
        doc.paths[path][method].responses[status].content['application/json'].schema;
      expect(success('/api/v1/events', 'get', 200).properties.items.items).toEqual({
        $ref: '#/components/schemas/EventSummary',
      });
      expect(success('/api/v1/events/{id}', 'get', 200)).toEqual({ $ref: '#/components/schemas/Event' });
      expect(success('/api/v1/events', 'post', 201)).toEqual({ $ref: '#/components/schemas/Event' });
      expect(success('/api/v1/tickets/types/{id}', 'put', 200)).toEqual({ $ref: '#/components/schemas/TicketType' });
      expect(success('/api/v1/events/{id}', 'delete', 200).properties).toEqual({ message: { type: 'string' } });
      expect(doc.components.schemas.Event.properties.organizer).toEqual({ $ref: '#/components/schemas/Organizer' });
      // A page of events stays bounded: each item embeds a few ticket types and says how many there are.
      expect(doc.components.schemas.EventSummary.properties.ticket_types).toMatchObject({
        maxItems: 5,
        items: { $ref: '#/components/schemas/TicketType' },
      });
      expect(doc.components.schemas.EventSummary.required).toContain('ticket_types_total');
      expect(doc.paths['/api/v1/events'].get.description).toMatch(/at most its 5 cheapest ticket types/);
      expect(Object.keys(doc.components.schemas.Organizer.properties)).toEqual(['id', 'firstname', 'surname']);
      expect(doc.paths['/api/v1/events'].get.tags).toEqual(['events']);
      expect(doc.paths['/api/v1/tickets/types'].get.tags).toEqual(['ticket types']);
    });

    it('documents paging parameters with defaults as optional', () => {
      const params = doc.paths['/api/v1/users'].get.parameters as { name: string; required: boolean }[];
      expect(params.map((p) => [p.name, p.required])).toEqual([
        ['skip', false],
        ['limit', false],
        ['role', false],
        ['search', false],
      ]);
    });

    it('documents the login form next to JSON', () => {
      const content = doc.paths['/api/v1/auth/login'].post.requestBody.content;
      expect(Object.keys(content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
      expect(content['application/x-www-form-urlencoded'].schema.properties).toEqual(
        expect.objectContaining({
          username: expect.any(Object),
          password: expect.any(Object),
          grant_type: expect.any(Object),
        }),
      );
    });

    it('serves Swagger UI at /api/docs', async () => {
      const page = await fetch(`${gw.baseUrl}/api/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('swagger-ui');
      const initializer = await fetch(`${gw.baseUrl}/api/docs/static/swagger-initializer.js`);
      expect(initializer.status).toBe(200);
    });
  });
});
