import fp from 'fastify-plugin';
import underPressure from '@fastify/under-pressure';
import { ProblemError, type Config } from '@ticketpro/shared';
import { RETRY_AFTER_SECONDS } from '../problem';

class OverloadedError extends ProblemError {
  constructor() {
    super('service-unavailable', 'The gateway is overloaded; try again shortly');
  }
}

/**
 * Answers 503 at once while the event loop is saturated, instead of queueing work it cannot
 * finish. Saturated: the mean time one turn of the loop takes, sampled every second, is above
 * `LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS` — by then each request already waits that long
 * before any of its code runs. 0 turns shedding off.
 */
export const loadSheddingPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const maxEventLoopDelay = config.LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS;
    if (maxEventLoopDelay === 0) return;
    await app.register(underPressure, {
      maxEventLoopDelay,
      retryAfter: RETRY_AFTER_SECONDS,
      customError: OverloadedError,
    });
  },
  { name: 'load-shedding' },
);
