import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { AuthUser, CallMeta, ServiceBroker } from '@ticketpro/shared';
import { isServiceUnavailable } from '../problem';
import type { ServiceCallOutcome } from './metrics';

export interface ServiceCallOptions {
  timeout?: number;
  retries?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, set by the authentication hook on routes that take a token. */
    user: AuthUser | null;
    /** Calls a Moleculer action on behalf of this request: its id, caller and address travel along. */
    callService<T = unknown>(action: string, params?: object, options?: ServiceCallOptions): Promise<T>;
  }
}

/** The one way the gateway calls services, so every call is traced by request id and timed. */
export const serviceCallsPlugin = fp<{ broker: ServiceBroker }>(
  async (app, { broker }) => {
    const { serviceCallDuration } = app.metrics;

    app.decorateRequest('user', null);
    app.decorateRequest(
      'callService',
      async function callService<T>(
        this: FastifyRequest,
        action: string,
        params: object = {},
        options: ServiceCallOptions = {},
      ) {
        const meta: CallMeta = { requestId: this.id, ip: this.ip, ...(this.user ? { user: this.user } : {}) };
        const stopTimer = serviceCallDuration.startTimer({ action });
        try {
          const result = await broker.call<T, object>(action, params, { ...options, requestID: this.id, meta });
          stopTimer({ outcome: 'ok' });
          return result;
        } catch (err) {
          stopTimer({ outcome: outcomeOf(err) });
          throw err;
        }
      },
    );
  },
  { name: 'service-calls', dependencies: ['metrics'] },
);

function outcomeOf(err: unknown): ServiceCallOutcome {
  if (isServiceUnavailable(err)) return 'unavailable';
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' && code >= 400 && code < 500 ? 'client_error' : 'server_error';
}
