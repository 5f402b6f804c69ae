import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
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
        summary: 'Welcome, with links to the documentation',
        tags: TAGS,
        response: { 200: Welcome, ...FAILURES },
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
        summary: 'Whether every service answers (503 naming those that do not, or while starting)',
        tags: TAGS,
        response: {
          200: { ...Health, description: 'All services answer' },
          500: FAILURES[500],
          503: {
            description:
              'This process is still starting (status starting; its services that are up already say ok), ' +
              'or some services do not answer (status degraded, those services unavailable)',
            content: { 'application/json': { schema: Health } },
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
        summary: 'Liveness probe: the gateway process runs',
        tags: TAGS,
        response: { 200: { ...Alive, description: 'The process runs' }, 500: FAILURES[500] },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: NEVER_SHED,
      schema: {
        summary: 'Readiness probe: started and connected to the services, and not shutting down',
        tags: TAGS,
        response: {
          200: { ...Alive, description: 'Ready for traffic' },
          500: FAILURES[500],
          503: {
            ...NotReady,
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
        summary: 'Prometheus metrics: requests, latencies, service call timings, action calls, process',
        tags: TAGS,
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: Type.String() } },
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
