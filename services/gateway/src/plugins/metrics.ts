import fp from 'fastify-plugin';
import { Counter, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '@ticketpro/shared';

export type ServiceCallOutcome = 'ok' | 'client_error' | 'unavailable' | 'server_error';

export interface GatewayMetrics {
  /** Every metric of the app, and of the node when the app runs in one: what a scrape gets. */
  exposition(): Registry;
  serviceCallDuration: Histogram<'action' | 'outcome'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: GatewayMetrics;
  }
}

/** Requests that matched no route share one label, so scanners cannot blow up the series count. */
const UNMATCHED_ROUTE = 'unmatched';

export interface MetricsOptions {
  /**
   * The registry of the node the app runs in (runNode's): process metrics and the action
   * metrics of the services in this process (all of them in embedded mode). The app's metrics
   * join it, so the node's ops server (`OPS_PORT`) serves them all. Without it the app keeps a
   * registry of its own and collects the process metrics itself.
   */
  nodeMetrics?: Registry;
}

/**
 * Prometheus metrics in the node's registry or one of the app's own (never prom-client's global
 * one), so that several apps can live in one process, as they do in tests.
 */
export const metricsPlugin = fp<MetricsOptions>(
  async (app, { nodeMetrics }) => {
    const registry = nodeMetrics ?? new Registry();
    // The node's registry has them already, and a name twice breaks parsing.
    if (!nodeMetrics) collectProcessMetrics(registry);

    const labelNames = ['method', 'route', 'status_code'] as const;
    const requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames,
      registers: [registry],
    });
    const requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    const serviceCallDuration = new Histogram({
      name: 'gateway_service_call_duration_seconds',
      help: 'Time a Moleculer action call took, by action and outcome',
      labelNames: ['action', 'outcome'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });

    app.decorate('metrics', { exposition: () => registry, serviceCallDuration });

    // `done`, not async: no promise per request.
    app.addHook('onResponse', (request, reply, done) => {
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        status_code: String(reply.statusCode),
      };
      requests.inc(labels);
      requestDuration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  },
  { name: 'metrics' },
);
