import { performance } from 'node:perf_hooks';
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { ActionArgs, ActionName, AuthUser, CallMeta, ResultOf, ServiceBroker } from '@ticketpro/shared';
import { isServiceUnavailable } from '../problem';
import type { ServiceCallOutcome } from './metrics';

export interface ServiceCallOptions {
  timeout?: number;
  retries?: number;
}

/** How a call ended: what the action answered, or what it failed with. */
export type SettledCall = { result: unknown } | { error: unknown };

/**
 * Told of every call this gateway makes once it has settled, before the request goes on: what a
 * write changed is known then, before its answer reaches the client.
 */
export type ServiceCallListener = (action: ActionName, params: object, settled: SettledCall) => void;

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, set by the authentication hook on routes that take a token. */
    user: AuthUser | null;
    /**
     * Calls an action by its full name on behalf of this request (its id, caller and address
     * travel along), typed by the action's contract.
     */
    callService<A extends ActionName>(action: A, ...args: ActionArgs<A, ServiceCallOptions>): Promise<ResultOf<A>>;
  }
  interface FastifyInstance {
    /** Adds a listener told of every service call once it has settled. */
    onServiceCallSettled(listener: ServiceCallListener): void;
  }
}

/** The one way the gateway calls services, so every call is traced by request id and timed. */
export const serviceCallsPlugin = fp<{ broker: ServiceBroker }>(
  async (app, { broker }) => {
    const { serviceCallDuration } = app.metrics;
    const listeners: ServiceCallListener[] = [];
    const tell = (action: ActionName, params: object, settled: SettledCall) => {
      for (const listener of listeners) listener(action, params, settled);
    };

    app.decorate('onServiceCallSettled', (listener: ServiceCallListener) => {
      listeners.push(listener);
    });
    app.decorateRequest('user', null);
    app.decorateRequest(
      'callService',
      async function callService(
        this: FastifyRequest,
        action: ActionName,
        params: object = {},
        options: ServiceCallOptions = {},
      ) {
        const meta: CallMeta = { requestId: this.id, ip: this.ip, ...(this.user ? { user: this.user } : {}) };
        // Timed here rather than with prom-client's startTimer, whose closure, hrtime pair and
        // merged labels every call paid for.
        const started = performance.now();
        try {
          const result = await broker.call(action, params, { ...options, requestID: this.id, meta });
          serviceCallDuration.observe({ action, outcome: 'ok' }, secondsSince(started));
          tell(action, params, { result });
          return result;
        } catch (err) {
          serviceCallDuration.observe({ action, outcome: outcomeOf(err) }, secondsSince(started));
          tell(action, params, { error: err });
          throw err;
        }
      },
    );
  },
  { name: 'service-calls', dependencies: ['metrics'] },
);

const secondsSince = (started: number): number => (performance.now() - started) / 1000;

/** How a failed call is counted; a `client_error` is a refusal, which changed nothing. */
export function outcomeOf(err: unknown): ServiceCallOutcome {
  if (isServiceUnavailable(err)) return 'unavailable';
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' && code >= 400 && code < 500 ? 'client_error' : 'server_error';
}
