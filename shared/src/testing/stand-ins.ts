import type { Context, ServiceSchema } from 'moleculer';
import type { CallMeta } from '../broker';
import type { ServiceName } from '../config';
import type { ActionName, ActionOf, LocalActionName, ParamsOf, ResultOf } from '../contracts/registry';

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

export interface RecordedCall {
  action: string;
  params: Record<string, unknown>;
  meta: CallMeta;
  requestID: string | null;
}

/**
 * Stands in for a service: records every call, answers canned data (typed by the service's
 * contract), and throws `failure` when a test sets one.
 */
export abstract class ServiceStandIn<S extends ServiceName> {
  calls: RecordedCall[] = [];
  failure?: Error;

  constructor(readonly name: S) {}

  /** The canned answer of each action, by its name within the service. */
  protected abstract answers(): StandInAnswers<S>;

  callsOf(action: ActionOf<S>): RecordedCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  lastCall(action: ActionOf<S>): RecordedCall {
    const calls = this.callsOf(action);
    if (calls.length === 0) throw new Error(`${action} was not called`);
    return calls[calls.length - 1];
  }

  schema(): ServiceSchema {
    const answers = Object.entries(this.answers() as Record<string, unknown>) as [
      string,
      (ctx: RecordedContext) => unknown,
    ][];
    const actions = answers.map(([local, answer]) => {
      const action = `${this.name}.${local}`;
      const handler = (ctx: RecordedContext) => {
        this.calls.push({ action, params: { ...ctx.params }, meta: { ...ctx.meta }, requestID: ctx.requestID });
        if (this.failure) throw this.failure;
        return answer(ctx);
      };
      return [local, { handler }];
    });
    return { name: this.name, actions: Object.fromEntries(actions) };
  }
}

type RecordedContext = Context<Record<string, unknown>, CallMeta>;
