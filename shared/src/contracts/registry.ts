import type { Static, TSchema } from '@sinclair/typebox';
import type { ActionContract, ServiceContract } from './define';
import { identityContract } from './identity';
import { catalogContract } from './catalog';
import { orderingContract } from './ordering';
import { ticketingContract } from './ticketing';
import { notificationsContract } from './notifications';
import { reportingContract } from './reporting';

/** Contracts by the service each names, so a contract cannot be filed under another service's name. */
function byService<const C extends readonly ServiceContract[]>(
  ...contracts: C
): { [K in C[number] as K['service']]: K } {
  return Object.fromEntries(contracts.map((contract) => [contract.service, contract])) as {
    [K in C[number] as K['service']]: K;
  };
}

/**
 * Every service's contract, by service name: the one list of TicketPro's services. A service
 * exists when its contract is here; `SERVICE_NAMES`, the configuration's per-service database
 * URLs, the embedded process, the e2e clusters and the deploy tests all follow from it.
 */
export const CONTRACTS = byService(
  identityContract,
  catalogContract,
  orderingContract,
  ticketingContract,
  notificationsContract,
  reportingContract,
);

type Contracts = typeof CONTRACTS;

/** A TicketPro service (the gateway aside): a name in `CONTRACTS`. */
export type ServiceName = keyof Contracts;

/** Every service, in the order `CONTRACTS` lists them. */
export const SERVICE_NAMES = Object.keys(CONTRACTS) as readonly ServiceName[];

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
