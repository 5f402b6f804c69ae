import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The one registry of a process: its default process metrics (CPU, memory, event loop, GC),
 * to which the action metrics of the services it runs are added. A second
 * `collectDefaultMetrics` in one exposition would repeat metric names, which Prometheus refuses.
 */
export function createNodeMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
