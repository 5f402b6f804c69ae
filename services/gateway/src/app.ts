import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { lazyChild, NodeReadiness, type Config, type Logger, type ServiceBroker } from '@ticketpro/shared';
import { authenticationPlugin } from './plugins/authentication';
import { connectionLimitPlugin } from './plugins/connection-limit';
import { eventReadCachePlugin } from './plugins/event-read-cache';
import { loadSheddingPlugin } from './plugins/load-shedding';
import { metricsPlugin } from './plugins/metrics';
import { openApiPlugin } from './plugins/openapi';
import { frameworkErrorHandler, problemResponsesPlugin } from './plugins/problem-responses';
import { rateLimitPlugin } from './plugins/rate-limit';
import { requestIdFor, requestIdPlugin } from './plugins/request-id';
import { schemasPlugin } from './plugins/schemas';
import { securityHeadersPlugin } from './plugins/security-headers';
import { cachingSerializerFactory } from './plugins/serializer-cache';
import { serviceCallsPlugin } from './plugins/service-calls';
import { tokenRevocationsPlugin } from './plugins/token-revocations';
import { utf8BodiesPlugin } from './plugins/utf8-bodies';
import { writeLimitPlugin } from './plugins/write-limit';
import { authRoutes } from './routes/auth';
import { eventRoutes } from './routes/events';
import { promoCodeRoutes } from './routes/promo-codes';
import { operationsRoutes } from './routes/operations';
import { notificationRoutes } from './routes/notifications';
import { exportRoutes, reportingRoutes } from './routes/reporting';
import { orderRoutes } from './routes/orders';
import { paymentRoutes } from './routes/payments';
import { ticketTypeRoutes } from './routes/ticket-types';
import { ticketRoutes } from './routes/tickets';
import { adminTicketRoutes, transferRoutes } from './routes/transfers';
import { userRoutes } from './routes/users';
import { validationRoutes } from './routes/validation';

/** The API's routes that take nothing but where they are mounted, in the order they are registered. */
const API_ROUTES: [prefix: string, routes: FastifyPluginAsync][] = [
  ['/api/v1/users', userRoutes],
  ['/api/v1/events', eventRoutes],
  ['/api/v1/events', promoCodeRoutes],
  // Ahead of the tickets' `/:id` routes: the router tries the static `types` segment before a
  // parameter whatever the order, and registering it first says so.
  ['/api/v1/tickets/types', ticketTypeRoutes],
  ['/api/v1/tickets', ticketRoutes],
  ['/api/v1/tickets', transferRoutes],
  ['/api/v1/admin/tickets', adminTicketRoutes],
  ['/api/v1/validation', validationRoutes],
  ['/api/v1/orders', orderRoutes],
  ['/api/v1/payments', paymentRoutes],
  ['/api/v1/notifications', notificationRoutes],
  ['/api/v1/admin', reportingRoutes],
  ['/api/v1/events', exportRoutes],
];

export interface GatewayDeps {
  broker: ServiceBroker;
  config: Config;
  logger: Logger;
  /** The node's readiness, which its shutdown turns to draining; by default one of the broker's own. */
  readiness?: NodeReadiness;
  /** The node's metrics registry, which the app's own metrics join (served on `OPS_PORT`). */
  nodeMetrics?: Registry;
}

/** Large enough for any JSON this API takes, small enough that a client cannot tie up memory. */
const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Node checks the header and request timeouts of open connections at this interval (30 s by
 * default, which would let a timed-out client hold its socket that much longer).
 */
function timeoutCheckInterval(timeoutMs: number): number {
  return Math.max(50, Math.min(1000, Math.floor(timeoutMs / 4)));
}

/** The HTTP gateway, ready to `await app.ready()` and `listen` (or `inject`); it never listens itself. */
export async function buildApp({
  broker,
  config,
  logger,
  readiness = new NodeReadiness(broker),
  nodeMetrics,
}: GatewayDeps): Promise<FastifyInstance> {
  // Typed as fastify's logger interface, so the app is a plain `FastifyInstance` for callers.
  const loggerInstance: FastifyBaseLogger = logger;
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeout = Math.min(config.HTTP_HEADERS_TIMEOUT_MS, config.HTTP_REQUEST_TIMEOUT_MS);
  const app = fastify({
    loggerInstance,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // `request.log`: made into a pino child only when the request writes a line (see lazyChild),
    // unless a route sets a log level or serializers of its own (none does). The parent is pino's.
    childLoggerFactory: (parent, bindings, options) =>
      Object.keys(options).length > 0 ? parent.child(bindings, options) : lazyChild(parent as Logger, bindings),
    genReqId: requestIdFor,
    requestIdHeader: false,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: BODY_LIMIT_BYTES,
    frameworkErrors: frameworkErrorHandler,
    // A request trickled in byte by byte is answered 408 and its connection closed once the
    // whole of it (headers and body) has taken longer than this.
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    http: {
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeout,
      connectionsCheckingInterval: timeoutCheckInterval(headersTimeout),
    },
    schemaController: { compilersFactory: { buildSerializer: cachingSerializerFactory } },
  });

  // JSON in and out (the login form aside): plain text is answered 415 like any other type.
  app.removeContentTypeParser('text/plain');
  await app.register(utf8BodiesPlugin);

  // While draining, each answer closes its connection, so keep-alive clients reconnect (through
  // their load balancer, to another instance) instead of sending their next request here just
  // as the server closes, which would answer it 503 or drop it. Decided at send time, so that
  // requests which arrived before the drain began are covered too. (`done`, not async: no
  // promise per answer.)
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (readiness.isDraining) reply.header('connection', 'close');
    done(null, payload);
  });

  await app.register(connectionLimitPlugin, { config });
  // Order matters: the request id first, so every later hook's answer carries it.
  await app.register(requestIdPlugin);
  await app.register(problemResponsesPlugin);
  await app.register(metricsPlugin, { nodeMetrics });
  await app.register(loadSheddingPlugin, { config, broker });
  await app.register(securityHeadersPlugin, { config });
  await app.register(schemasPlugin);
  await app.register(serviceCallsPlugin, { broker });
  await app.register(eventReadCachePlugin, { config, logger, nodeId: broker.nodeID });
  await app.register(tokenRevocationsPlugin, { config, broker, logger });
  await app.register(authenticationPlugin, { config });
  await app.register(rateLimitPlugin);
  await app.register(writeLimitPlugin, { config });
  await app.register(openApiPlugin);

  await app.register(operationsRoutes, { readiness, config });
  await app.register(authRoutes, { prefix: '/api/v1/auth', config });
  for (const [prefix, routes] of API_ROUTES) await app.register(routes, { prefix });
  return app;
}
