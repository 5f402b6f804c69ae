import type { ActionSchema } from 'moleculer';
import type { RequestContext } from './broker';
import { actionContract, type ActionName, type ParamsOf, type ResultOf } from './contracts/registry';

declare const implementing: unique symbol;

/** A Moleculer action that implements one action of a contract, and says which. */
export interface DefinedAction<A extends ActionName = ActionName> {
  params: ActionSchema['params'];
  handler: ActionSchema['handler'];
  timeout?: number;
  /** Compile-time only: which contract action this is, for the service's action table. */
  readonly [implementing]?: A;
}

/** Handles one call: params typed (and validated by the broker) from the contract, the answer checked against it. */
export type ActionHandler<A extends ActionName> = (ctx: RequestContext<ParamsOf<A>>) => Promise<ResultOf<A>>;

/**
 * The action `action` (its full name: `catalog.inventory.hold`) of its service's contract: the
 * broker validates params against the contract's schema before the handler runs, and the
 * handler must answer what the contract says it answers.
 */
export function defineAction<A extends ActionName>(action: A, handler: ActionHandler<A>): DefinedAction<A> {
  const contract = actionContract(action);
  return {
    // Moleculer's typings describe fastest-validator rules; this broker's validator takes JSON Schema.
    params: contract.params,
    handler: handler as unknown as ActionSchema['handler'],
    ...(contract.timeoutMs === undefined ? {} : { timeout: contract.timeoutMs }),
  };
}
