import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '@ticketpro/shared';

export interface LimitOptions {
  /** Requests allowed per window; 0 turns the limit off. */
  max: number;
  timeWindow: string;
  /** What is being counted, for the 429 detail ("login attempts"). */
  what: string;
  /** The bucket a request counts against (its IP, the account it names…). */
  key(request: FastifyRequest): string;
}

export type LimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Hooks enforcing one limit: none when it is turned off, else one to put in a route's hooks. */
    limitRate(options: LimitOptions): LimitHook[];
  }
}

/**
 * Rate limits with @fastify/rate-limit's in-memory store. Its per-route hook runs once per
 * request, so a route with two limits (login: per IP and per account) could not use it twice;
 * `createRateLimit` counts independently, and the 429 is raised here.
 */
export const rateLimitPlugin = fp(
  async (app) => {
    await app.register(rateLimit, { global: false });

    app.decorate('limitRate', ({ max, timeWindow, what, key }: LimitOptions): LimitHook[] => {
      if (max === 0) return [];
      const check = app.createRateLimit({ max, timeWindow, keyGenerator: key });
      return [
        async (request, reply) => {
          const limit = await check(request);
          if (limit.isAllowed || !limit.isExceeded) return;
          reply.header('retry-after', limit.ttlInSeconds);
          throw new ProblemError('rate-limited', `Too many ${what}; retry in ${limit.ttlInSeconds} s`);
        },
      ];
    });
  },
  { name: 'rate-limit' },
);
