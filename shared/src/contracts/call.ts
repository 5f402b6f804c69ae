import type { CallingOptions, Context, ServiceBroker } from 'moleculer';
import type { ActionName, ParamsOf, ResultOf } from './registry';

/**
 * What calls another service: the request's context where there is one, so its request id and
 * caller travel along, or the broker for work of the service's own (a sweep).
 */
export type ServiceCaller = Pick<Context, 'call'> | Pick<ServiceBroker, 'call'>;

type Untyped = { call(action: string, params: unknown, options?: CallingOptions): Promise<unknown> };

/** Params may be left out where the action takes none. */
type CallArgs<A extends ActionName> = {} extends ParamsOf<A>
  ? [params?: ParamsOf<A>, options?: CallingOptions]
  : [params: ParamsOf<A>, options?: CallingOptions];

/**
 * Calls an action by its full name, typed by its contract: the params it takes, the answer it
 * gives. A name no contract has, or params of the wrong shape, do not compile.
 */
export function call<A extends ActionName>(via: ServiceCaller, action: A, ...[params, options]: CallArgs<A>): Promise<ResultOf<A>> {
  return (via as Untyped).call(action, params ?? {}, options) as Promise<ResultOf<A>>;
}
