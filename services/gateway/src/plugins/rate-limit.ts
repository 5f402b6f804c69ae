import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LruMap } from 'toad-cache';
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

export interface FailureLimitOptions {
  /** Failed requests allowed per window; 0 turns the limit off. */
  max: number;
  windowSeconds: number;
  /** What is being counted, for the 429 detail ("failed logins for this account"). */
  what: string;
  key(request: FastifyRequest): string;
  /** Whether the answer counts as a failure. */
  failed(reply: FastifyReply): boolean;
}

export type LimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** The hooks of a failure limit: `refuse` before the work (once the body is validated), `count` after the answer. */
export interface FailureLimitHooks {
  refuse: LimitHook[];
  count: LimitHook[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Hooks enforcing one limit: none when it is turned off, else one to put in a route's hooks. */
    limitRate(options: LimitOptions): LimitHook[];
    /** Hooks enforcing a limit on failed requests only: successes never use it up. */
    limitFailures(options: FailureLimitOptions): FailureLimitHooks;
  }
}

/** As many buckets as @fastify/rate-limit's own in-memory store keeps, least recently used dropped first. */
const BUCKETS = 5000;

function limited(reply: FastifyReply, retryAfterSeconds: number, what: string): never {
  reply.header('retry-after', retryAfterSeconds);
  throw new ProblemError('rate-limited', `Too many ${what}; retry in ${retryAfterSeconds} s`);
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
          limited(reply, limit.ttlInSeconds, what);
        },
      ];
    });

    // @fastify/rate-limit counts every request it is asked about, so it cannot hold back until an
    // answer says whether the request failed: the failures are counted here, in fixed windows
    // like its own.
    app.decorate(
      'limitFailures',
      ({ max, windowSeconds, what, key, failed }: FailureLimitOptions): FailureLimitHooks => {
        if (max === 0) return { refuse: [], count: [] };
        const windowMs = windowSeconds * 1000;
        const failures = new LruMap<{ count: number; endsAt: number }>(BUCKETS);
        return {
          refuse: [
            async (request, reply) => {
              const bucket = failures.get(key(request));
              const left = bucket ? bucket.endsAt - Date.now() : 0;
              if (bucket && left > 0 && bucket.count >= max) limited(reply, Math.ceil(left / 1000), what);
            },
          ],
          count: [
            async (request, reply) => {
              if (!failed(reply)) return;
              const bucketKey = key(request);
              const now = Date.now();
              const bucket = failures.get(bucketKey);
              if (bucket && bucket.endsAt > now) bucket.count += 1;
              else failures.set(bucketKey, { count: 1, endsAt: now + windowMs });
            },
          ],
        };
      },
    );
  },
  { name: 'rate-limit' },
);
