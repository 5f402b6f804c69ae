import type { Context, Middleware } from 'moleculer';
import { Counter, Histogram, type Registry } from 'prom-client';

export type ActionOutcome = 'ok' | 'client_error' | 'server_error';

/** From a few milliseconds (a cached read) up to the request timeout. */
const DURATION_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Counts and times every action where it runs (not where it is called from), so each service's
 * own figures show in its own process: `moleculer_action_calls_total{action,outcome}` and
 * `moleculer_action_duration_seconds{action}`.
 */
export function actionMetrics(registry: Registry): Middleware {
  const calls = new Counter({
    name: 'moleculer_action_calls_total',
    help: 'Moleculer action calls handled by this process, by action and outcome (ok, client_error, server_error)',
    labelNames: ['action', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'moleculer_action_duration_seconds',
    help: 'Time this process took to handle a Moleculer action call, by action',
    labelNames: ['action'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  return {
    name: 'ActionMetrics',
    localAction(handler: (ctx: Context) => Promise<unknown>, action: { name: string }) {
      return async function measured(ctx: Context) {
        const stopTimer = duration.startTimer({ action: action.name });
        try {
          const result = await handler(ctx);
          calls.inc({ action: action.name, outcome: 'ok' });
          return result;
        } catch (err) {
          calls.inc({ action: action.name, outcome: outcomeOf(err) });
          throw err;
        } finally {
          stopTimer();
        }
      };
    },
  } as unknown as Middleware;
}

/** Errors carry their HTTP status as `code` (see errors.ts); one without a code is a bug, so a 5xx. */
function outcomeOf(err: unknown): Exclude<ActionOutcome, 'ok'> {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code < 500 ? 'client_error' : 'server_error';
}
