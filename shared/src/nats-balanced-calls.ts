import { Errors, ServiceBroker, type CallingOptions, type Middleware } from 'moleculer';
import { isRepeatableCall } from './contracts/repeatable';
import type { Logger } from './logger';

/** `ctx`: the context Moleculer's own retry sends again; not in its typings. */
type Call = (action: unknown, params: unknown, options?: CallingOptions & { ctx?: unknown }) => Promise<unknown>;

/** The part of Moleculer 0.14's registry this needs; not in its typings. */
interface ActionRegistry {
  getActionEndpoints(action: string): { hasLocal(): boolean } | undefined;
}

/**
 * Calls when the NATS server balances them (`disableBalancer`), where Moleculer would send every
 * call through NATS, even one to an action of this very process:
 *
 * - A call to an action this process serves runs here, as Moleculer's balanced `call` runs it
 *   (it prefers the local endpoint): no round trip through NATS, and it still works while this
 *   node withdraws its services for a graceful stop (their queue subscriptions are gone then).
 * - A call that timed out is sent once more when its contract says a repeat is harmless (see
 *   `isRepeatableCall`). A call in flight on an instance that died is never answered: its timeout
 *   is the only sign, and the repeat goes to a live instance, since the NATS server dropped the
 *   dead one's subscriptions. Moleculer's own retry policy (`retryPolicy.check`) sees only the
 *   error, not the call, so it cannot tell a repeatable call from one that is not.
 *
 * This wraps `broker.call`, which `ctx.call` goes through too.
 */
export function natsBalancedCalls(logger: Logger): Middleware {
  let broker: ServiceBroker;
  const balancedCall = ServiceBroker.prototype.call as Call;
  return {
    name: 'NatsBalancedCalls',
    created(created: ServiceBroker) {
      broker = created;
    },
    call(next: Call): Call {
      return function balancedByNats(action, params, options = {}) {
        // A retry of Moleculer's own reuses its context (`ctx`); a call to one node has nowhere else to go.
        if (typeof action !== 'string' || options.ctx || options.nodeID) return next(action, params, options);
        const registry = broker.registry as unknown as ActionRegistry;
        if (registry.getActionEndpoints(action)?.hasLocal()) return balancedCall.call(broker, action, params, options);
        if (!isRepeatableCall(action, params)) return next(action, params, options);
        return next(action, params, { ...options }).catch((err: unknown) => {
          if (!(err instanceof Errors.RequestTimeoutError)) throw err;
          logger.warn({ action, err: err.message }, 'call timed out; sending it once more');
          return next(action, params, { ...options });
        });
      };
    },
  } as unknown as Middleware;
}
