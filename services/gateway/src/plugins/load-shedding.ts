import fp from 'fastify-plugin';
import underPressure from '@fastify/under-pressure';
import { ProblemError } from '@ticketpro/shared';
import { RETRY_AFTER_SECONDS } from '../problem';

/**
 * Mean time one turn of the event loop takes, sampled every second, above which requests are
 * shed: by then each request already waits that long before any of its code runs.
 */
const MAX_EVENT_LOOP_DELAY_MS = 300;

class OverloadedError extends ProblemError {
  constructor() {
    super('service-unavailable', 'The gateway is overloaded; try again shortly');
  }
}

/** Answers 503 at once while the event loop is saturated, instead of queueing work it cannot finish. */
export const loadSheddingPlugin = fp(
  async (app) => {
    await app.register(underPressure, {
      maxEventLoopDelay: MAX_EVENT_LOOP_DELAY_MS,
      retryAfter: RETRY_AFTER_SECONDS,
      customError: OverloadedError,
    });
  },
  { name: 'load-shedding' },
);
