import { performance } from 'node:perf_hooks';
import fp from 'fastify-plugin';
import underPressure from '@fastify/under-pressure';
import { ProblemError, type Config, type ServiceBroker } from '@ticketpro/shared';

class OverloadedError extends ProblemError {
  constructor() {
    super('service-unavailable', 'The gateway is overloaded; try again shortly');
  }
}

/** How often the event loop's delay is sampled (under-pressure's default, said here to derive the grace from it). */
const SAMPLE_INTERVAL_MS = 1000;

/**
 * A sample is taken when the previous one is a whole interval old, so the first one that begins
 * after the node started is complete at most two intervals later; until then the last sample
 * still holds the start's own work (an embedded first start runs its migrations on PGlite, on
 * this thread), and shedding on it answered the first calls after `/health` said ok with 503
 * while the loop was idle.
 */
const START_GRACE_MS = 2 * SAMPLE_INTERVAL_MS;

/**
 * Answers 503 at once while the event loop is saturated, instead of queueing work it cannot
 * finish. Saturated: the mean time one turn of the loop takes, sampled every second, is above
 * `LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS` — by then each request already waits that long
 * before any of its code runs. 0 turns shedding off. Nothing is shed while the node starts, nor
 * until `START_GRACE_MS` after its broker started (or after the app was built, if it had).
 */
export const loadSheddingPlugin = fp<{ config: Config; broker: ServiceBroker }>(
  async (app, { config, broker }) => {
    const maxEventLoopDelay = config.LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS;
    if (maxEventLoopDelay === 0) return;
    let startedAt = broker.started ? performance.now() : Infinity;
    if (!broker.started) broker.localBus.once('$broker.started', () => (startedAt = performance.now()));
    await app.register(underPressure, {
      maxEventLoopDelay,
      sampleInterval: SAMPLE_INTERVAL_MS,
      // Called only while the last sample is over the limit: nothing on the path of other requests.
      pressureHandler: () => {
        if (performance.now() - startedAt <= START_GRACE_MS) return undefined;
        // The problem handler answers it with its status and Retry-After.
        return Promise.reject(new OverloadedError());
      },
    });
  },
  { name: 'load-shedding' },
);
