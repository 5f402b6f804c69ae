import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * How often the event-loop delay histogram behind `nodejs_eventloop_lag_{min,max,mean,stddev,
 * p50,p90,p99}_seconds` samples the loop. prom-client's default, 10 ms, is a timer waking every
 * process 100 times a second, busy or idle: about 7 ms of CPU per second each on the 2-core host,
 * half of what an idle service spent. Every 100 ms, a turn of the loop longer than that (a stall
 * worth an alert) is still seen whole, for a tenth of the wake-ups. The gauges report the time
 * between samples, so an idle loop reads 0.1 s on them; `nodejs_eventloop_lag_seconds`, measured
 * at each scrape, and the gateway's load shedding, which samples on its own, are unchanged.
 */
export const EVENT_LOOP_SAMPLING_MS = 100;

/** prom-client's process metrics (CPU, memory, event loop, GC) into `registry`. */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLING_MS });
}

/**
 * The one registry of a process: its default process metrics, to which the action metrics of the
 * services it runs are added. A second `collectProcessMetrics` in one exposition would repeat
 * metric names, which Prometheus refuses.
 */
export function createNodeMetricsRegistry(): Registry {
  const registry = new Registry();
  collectProcessMetrics(registry);
  return registry;
}
