import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { SERVICE_NAMES } from '@ticketpro/shared';
import { version } from '../../package.json';
import { DOCS_PATH, OPENAPI_PATH } from '../plugins/openapi';
import { problemResponse } from './service-route';

const TAGS = ['operations'];
/** Long enough for a healthy service over NATS, short enough for a load balancer's probe. */
const HEALTH_TIMEOUT_MS = 1500;

const ServiceState = Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]);
const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    services: Type.Object(Object.fromEntries(SERVICE_NAMES.map((name) => [name, ServiceState]))),
  },
  { additionalProperties: false },
);

/** What any route may answer: an unexpected failure, or load shedding while the gateway is overloaded. */
const FAILURES = { 500: problemResponse('internal'), 503: problemResponse('service-unavailable') };

const Welcome = Type.Object({
  name: Type.String(),
  version: Type.String(),
  links: Type.Object({ docs: Type.String(), openapi: Type.String(), health: Type.String(), metrics: Type.String() }),
});

/** `/`, `/health` and `/metrics`: what operators and first-time visitors look at. */
export const operationsRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/',
    { schema: { summary: 'Welcome, with links to the documentation', tags: TAGS, response: { 200: Welcome, ...FAILURES } } },
    async () => ({
      name: 'TicketPro API',
      version,
      links: { docs: DOCS_PATH, openapi: OPENAPI_PATH, health: '/health', metrics: '/metrics' },
    }),
  );

  app.get(
    '/health',
    {
      schema: {
        summary: 'Whether every service answers (503 naming those that do not)',
        tags: TAGS,
        response: {
          200: { ...Health, description: 'All services answer' },
          500: FAILURES[500],
          503: {
            description: 'Some services do not answer (marked unavailable), or the gateway is overloaded',
            content: { 'application/json': { schema: Health }, ...FAILURES[503].content },
          },
        },
      },
    },
    async (request, reply) => {
      const answers = await Promise.allSettled(
        SERVICE_NAMES.map((name) => request.callService(`${name}.health`, {}, { timeout: HEALTH_TIMEOUT_MS, retries: 0 })),
      );
      const services = Object.fromEntries(
        SERVICE_NAMES.map((name, i) => [name, answers[i].status === 'fulfilled' ? 'ok' : 'unavailable']),
      );
      const healthy = answers.every((a) => a.status === 'fulfilled');
      return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'degraded', services });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics: requests, latencies, service call timings, process',
        tags: TAGS,
        response: {
          200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: Type.String() } } },
          ...FAILURES,
        },
      },
    },
    async (_request, reply) => reply.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics()),
  );
};
