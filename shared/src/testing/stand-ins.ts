import type { Context, ServiceSchema } from 'moleculer';
import type { CallMeta } from '../broker';
import type { ServiceName } from '../config';
import type { ActionName, LocalActionName, ParamsOf, ResultOf } from '../contracts/registry';

/** What a stand-in's answer sees of a call: the params the contract says the action takes. */
export type StandInContext<A extends ActionName> = Context<ParamsOf<A>, CallMeta>;

type FullName<S extends ServiceName, K extends string> = Extract<`${S}.${K}`, ActionName>;

/**
 * Canned answers of a service's actions, by their names within it, each typed by its contract: an
 * answer for an action the contract does not have, or of another shape than its result, does not
 * compile. Answers may carry fields the result does not list (to prove the gateway drops them).
 */
export type StandInAnswers<S extends ServiceName> = {
  [K in LocalActionName<S>]?: (
    ctx: StandInContext<FullName<S, K>>,
  ) => ResultOf<FullName<S, K>> | Promise<ResultOf<FullName<S, K>>>;
};

/**
 * A Moleculer service standing in for `service` across the boundary, in tests of another one:
 * the actions of `answers`, each called with the call's context.
 */
export function standInService<S extends ServiceName>(service: S, answers: StandInAnswers<S>): ServiceSchema {
  const actions = Object.entries(answers).map(([local, answer]) => [
    local,
    { handler: answer as (ctx: Context) => unknown },
  ]);
  return { name: service, actions: Object.fromEntries(actions) };
}
