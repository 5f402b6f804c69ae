import type { CallingOptions, Context, ServiceBroker } from 'moleculer';
import type { ActionName, ParamsOf, ResultOf } from './registry';

/**
 * What calls another service: the request's context where there is one, so its request id and
 * caller travel along, or the broker for work of the service's own (a sweep).
 */
export type ServiceCaller = Pick<Context, 'call'> | Pick<ServiceBroker, 'call'>;

type Untyped = { call(action: string, params: unknown, options?: CallingOptions): Promise<unknown> };

/** An action's params, then `options`; the params may be left out where the action takes none. */
export type ActionArgs<A extends ActionName, O = CallingOptions> =
  {} extends ParamsOf<A> ? [params?: ParamsOf<A>, options?: O] : [params: ParamsOf<A>, options?: O];

/**
 * Calls an action by its full name, typed by its contract: the params it takes, the answer it
 * gives. A name no contract has, or params of the wrong shape, do not compile.
 */
export function call<A extends ActionName>(
  via: ServiceCaller,
  action: A,
  ...[params, options]: ActionArgs<A>
): Promise<ResultOf<A>> {
  return (via as Untyped).call(action, params ?? {}, options) as Promise<ResultOf<A>>;
}
