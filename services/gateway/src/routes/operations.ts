import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { SERVICE_NAMES, type Config, type NodeReadiness } from '@ticketpro/shared';
import { version } from '../../package.json';
import { DOCS_PATH, OPENAPI_PATH } from '../plugins/openapi';
import { problemResponse } from './service-route';

const TAGS = ['operations'];
/** Long enough for a healthy service over NATS, short enough for a load balancer's probe. */
const HEALTH_TIMEOUT_MS = 1500;

const ServiceState = Type.Union([Type.Literal('ok'), Type.Literal('starting'), Type.Literal('unavailable')]);
const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('starting'), Type.Literal('degraded')]),
    services: Type.Object(Object.fromEntries(SERVICE_NAMES.map((name) => [name, ServiceState]))),
  },
  { additionalProperties: false },
);

/** What any route may answer: an unexpected failure, or load shedding while the gateway is overloaded. */
const FAILURES = { 500: problemResponse('internal'), 503: problemResponse('service-unavailable') };

const Welcome = Type.Object({
  name: Type.String(),
  version: Type.String(),
  links: Type.Object({
    docs: Type.String(),
    openapi: Type.String(),
    health: Type.String(),
    metrics: Type.Optional(Type.String()),
  }),
});

const healthExample = (status: Static<typeof Health>['status'], catalog: Static<typeof ServiceState>) => ({
  status,
  services: { ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, 'ok'])), catalog },
});

const METRICS_EXAMPLE =
  '# HELP http_requests_total HTTP requests answered, by method, route pattern and status\n' +
  '# TYPE http_requests_total counter\n' +
  'http_requests_total{method="GET",route="/api/v1/events",status_code="200"} 1027\n';

const Alive = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });
const NotReady = Type.Object(
  { status: Type.Union([Type.Literal('starting'), Type.Literal('unavailable'), Type.Literal('draining')]) },
  { additionalProperties: false },
);

/**
 * Health and probes are never shed: an orchestrator that saw an overloaded gateway as dead would
 * restart it, or take every busy instance out of rotation at once; and a starting process,
 * whose event loop is busy opening databases, is starting, not overloaded.
 */
const NEVER_SHED = { pressureHandler: () => undefined };

export interface OperationsOptions {
  readiness: NodeReadiness;
  config: Config;
}

/**
 * `/`, `/health`, `/health/live`, `/health/ready` and, with `METRICS_ON_API_PORT`, `/metrics`:
 * what operators, orchestrators and first-time visitors look at. Metrics are an operator's
 * business, so by default they are served only on the ops port (`OPS_PORT`, see runNode).
 */
export const operationsRoutes: FastifyPluginAsync<OperationsOptions> = async (app, { readiness, config }) => {
  const metricsPath = config.METRICS_ON_API_PORT ? { metrics: '/metrics' } : {};
  app.get(
    '/',
    {
      schema: {
        operationId: 'welcome',
        summary: 'Welcome, with links to the documentation',
        description: "The API's name and version, and where its documentation, health and metrics are served.",
        tags: TAGS,
        response: {
          200: {
            ...Welcome,
            examples: [
              {
                name: 'TicketPro API',
                version,
                links: { docs: DOCS_PATH, openapi: OPENAPI_PATH, health: '/health', metrics: '/metrics' },
              },
            ],
          },
          ...FAILURES,
        },
      },
    },
    async () => ({
      name: 'TicketPro API',
      version,
      links: { docs: DOCS_PATH, openapi: OPENAPI_PATH, health: '/health', ...metricsPath },
    }),
  );

  app.get(
    '/health',
    {
      config: NEVER_SHED,
      schema: {
        operationId: 'health',
        summary: 'Whether every service answers (503 naming those that do not, or while starting)',
        description:
          'Asks each service over NATS whether it answers, within 1.5 s, and whether the gateway knows every token ' +
          'revocation so far. Never shed under load. For monitoring; orchestrators use the liveness and readiness probes.',
        tags: TAGS,
        response: {
          200: { ...Health, description: 'All services answer', examples: [healthExample('ok', 'ok')] },
          500: FAILURES[500],
          503: {
            description:
              'This process is still starting (status starting; its services that are up already say ok), ' +
              'or some services do not answer (status degraded, those services unavailable)',
            content: {
              'application/json': { schema: Health, example: healthExample('degraded', 'unavailable') },
            },
          },
        },
      },
    },
    async (request, reply) => {
      // Read before the calls: a service that answers counts as up even if the start ends meanwhile.
      const starting = readiness.isStarting;
      // Until it knows every token revocation the gateway refuses tokens, so it is not up: still
      // starting the first time, degraded when it loses the feed later.
      const revocationsCurrent = app.tokenRevocations.current;
      const answers = await Promise.allSettled(
        SERVICE_NAMES.map((name) =>
          request.callService(`${name}.health`, {}, { timeout: HEALTH_TIMEOUT_MS, retries: 0 }),
        ),
      );
      const notAnswering = starting ? 'starting' : 'unavailable';
      const services = Object.fromEntries(
        SERVICE_NAMES.map((name, i) => [name, answers[i].status === 'fulfilled' ? 'ok' : notAnswering]),
      );
      const healthy = !starting && revocationsCurrent && answers.every((a) => a.status === 'fulfilled');
      const status = healthy ? 'ok' : starting || !app.tokenRevocations.everCurrent ? 'starting' : 'degraded';
      return reply.code(healthy ? 200 : 503).send({ status, services });
    },
  );

  app.get(
    '/health/live',
    {
      config: NEVER_SHED,
      schema: {
        operationId: 'liveness',
        summary: 'Liveness probe: the gateway process runs',
        description: 'Answers as long as the process can answer at all; never shed under load, never asks a service.',
        tags: TAGS,
        response: {
          200: { ...Alive, description: 'The process runs', examples: [{ status: 'ok' }] },
          500: FAILURES[500],
        },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: NEVER_SHED,
      schema: {
        operationId: 'readiness',
        summary: 'Readiness probe: started and connected to the services, and not shutting down',
        description:
          'A load balancer sends traffic only while this answers 200. It turns 503 (draining) as soon as a shutdown ' +
          'begins, so the instance leaves rotation before it closes. Never shed under load.',
        tags: TAGS,
        response: {
          200: { ...Alive, description: 'Ready for traffic', examples: [{ status: 'ok' }] },
          500: FAILURES[500],
          503: {
            ...NotReady,
            examples: [{ status: 'draining' }],
            description:
              'Still starting, or a service in this process cannot reach its database (unavailable); ' +
              'or shutting down (draining)',
          },
        },
      },
    },
    async (_request, reply) => {
      const status = await readiness.check();
      return reply.code(status === 'ok' ? 200 : 503).send({ status });
    },
  );

  if (!config.METRICS_ON_API_PORT) return;
  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'metrics',
        summary: 'Prometheus metrics: requests, latencies, service call timings, action calls, process',
        description:
          'Served here only with METRICS_ON_API_PORT; otherwise on the ops port (OPS_PORT) alone, away from clients.',
        tags: TAGS,
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: Type.String(), example: METRICS_EXAMPLE } },
          },
          ...FAILURES,
        },
      },
    },
    async (_request, reply) => {
      const registry = app.metrics.exposition();
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
};
