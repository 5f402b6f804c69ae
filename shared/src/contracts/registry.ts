import type { Static, TSchema } from '@sinclair/typebox';
import type { ServiceName } from '../config';
import type { ActionContract, ServiceContract } from './define';
import { identityContract } from './identity';
import { catalogContract } from './catalog';
import { orderingContract } from './ordering';
import { ticketingContract } from './ticketing';
import { notificationsContract } from './notifications';
import { reportingContract } from './reporting';

/** Every service's contract, by service name: adding a service adds its contract here. */
export const CONTRACTS = {
  identity: identityContract,
  catalog: catalogContract,
  ordering: orderingContract,
  ticketing: ticketingContract,
  notifications: notificationsContract,
  reporting: reportingContract,
} satisfies { [S in ServiceName]: ServiceContract<S> };

type Contracts = typeof CONTRACTS;

/** A service's action names within it: `inventory.hold`. */
export type LocalActionName<S extends ServiceName> = keyof Contracts[S]['actions'] & string;

type ActionsOf<S extends ServiceName> = {
  [K in LocalActionName<S> as `${S}.${K}`]: Contracts[S]['actions'][K];
};

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every action of every service, by its full name. */
type AllActions = UnionToIntersection<{ [S in ServiceName]: ActionsOf<S> }[ServiceName]>;

/** An action's full name, as callers use it: `catalog.inventory.hold`. */
export type ActionName = keyof AllActions & string;

/** The actions of one service, by full name. */
export type ActionOf<S extends ServiceName> = `${S}.${LocalActionName<S>}`;

export type ActionContractOf<A extends ActionName> = AllActions[A] extends ActionContract ? AllActions[A] : never;
/** What an action takes, by its full name. */
export type ParamsOf<A extends ActionName> = AllActions[A] extends { params: infer P extends TSchema }
  ? Static<P>
  : never;
/** What an action answers, by its full name. */
export type ResultOf<A extends ActionName> = AllActions[A] extends { result: infer R extends TSchema }
  ? Static<R>
  : never;

/** The service an action belongs to and its name within it: `catalog.inventory.hold` → catalog, inventory.hold. */
export function splitActionName(action: string): { service: string; local: string } {
  const dot = action.indexOf('.');
  return { service: action.slice(0, dot), local: action.slice(dot + 1) };
}

/** The contract of an action, by its full name; throws for a name no contract has. */
export function actionContract<A extends ActionName>(action: A): ActionContractOf<A> {
  const { service, local } = splitActionName(action);
  const contract = (CONTRACTS as Record<string, ServiceContract>)[service]?.actions[local];
  if (!contract) throw new Error(`No contract has an action ${action}`);
  return contract as ActionContractOf<A>;
}
