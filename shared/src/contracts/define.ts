import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { EventDefinitions } from '../events/definition';
import { NoParams } from '../schemas/common';
import { INVENTORY_TIMEOUT_MS, READ_TIMEOUT_MS } from './timeouts';

/**
 * What a caller may rely on about an action besides its types. Calls between services read
 * them (issue 14's failover decides from them whether a timed-out call may be sent again).
 */
export interface ActionTraits {
  /** `read` changes nothing; `write` changes state. */
  kind: 'read' | 'write';
  /**
   * For a write: the param that makes a repeat harmless, so that a call made again with the same
   * value does nothing the first did not (an order id, a unit's `ref`, an `idempotency_key`). A
   * read, or a write with this param sent, is safe to repeat after a timeout; any other write is
   * not, since the first attempt may still be running.
   */
  idempotentOn?: string;
  /**
   * For a write without `idempotentOn`: why repeating it after a timeout is harmless all the same
   * (a login signs in again; the session the first attempt may have opened is never handed out).
   */
  repeatable?: string;
  /**
   * This action's own call timeout, where `REQUEST_TIMEOUT_MS` does not suit it: what a caller waits
   * before it gives up on the instance, or (where the call is safe to repeat) sends it once more.
   */
  timeoutMs?: number;
}

/** One action: its params and result as JSON Schema (TypeBox), and its traits. */
export interface ActionContract<P extends TSchema = TSchema, R extends TSchema = TSchema> extends ActionTraits {
  params: P;
  result: R;
}

/** The traits besides `kind`, with `idempotentOn` naming one of the action's own params. */
type TraitsBeyondKind<P extends TSchema> = Omit<ActionTraits, 'kind' | 'idempotentOn' | 'repeatable'> & {
  idempotentOn?: keyof Static<P> & string;
};

/** An action that changes nothing: safe to repeat. */
export function read<P extends TSchema, R extends TSchema>(params: P, result: R, traits: TraitsBeyondKind<P> = {}) {
  return { params, result, kind: 'read' as const, ...traits };
}

/**
 * An action that changes state; `idempotentOn` says what makes a repeat harmless, if anything, or
 * `repeatable` why a repeat is harmless without one.
 */
export function write<P extends TSchema, R extends TSchema>(
  params: P,
  result: R,
  traits: TraitsBeyondKind<P> & { repeatable?: string } = {},
) {
  return { params, result, kind: 'write' as const, ...traits };
}

/**
 * A read someone waits on (a buyer, an organizer's dashboard): `READ_TIMEOUT_MS` on an instance
 * rather than `REQUEST_TIMEOUT_MS`, so that a repeat on another instance still fits the wait.
 */
export function timedRead<P extends TSchema, R extends TSchema>(params: P, result: R) {
  return read(params, result, { timeoutMs: READ_TIMEOUT_MS });
}

/**
 * One inventory step of checkout in catalog, within `INVENTORY_TIMEOUT_MS`: a repeat after a
 * timeout is harmless, by the param `idempotentOn` names.
 */
export function inventoryStep<P extends TSchema, R extends TSchema>(
  params: P,
  result: R,
  idempotentOn: keyof Static<P> & string,
) {
  return write(params, result, { idempotentOn, timeoutMs: INVENTORY_TIMEOUT_MS });
}

/** What every service answers: `<service>.health`, ok only while it can reach its database. */
export const HealthSchema = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });
const healthAction = read(NoParams, HealthSchema);

/**
 * A service's contract: the one place that says what it answers and what it announces. Action
 * names are local (`inventory.hold`; callers add the service: `catalog.inventory.hold`); event
 * names are whole and start with the service's name, since each event has one owner.
 */
export interface ServiceContract<
  S extends string = string,
  A extends Record<string, ActionContract> = Record<string, ActionContract>,
  E extends EventDefinitions = EventDefinitions,
> {
  service: S;
  actions: A & { health: typeof healthAction };
  events: E;
}

/** Compiles only when every event's name starts with the service's: each event has one owner. */
type OwnsItsEvents<S extends string, E> = keyof E extends `${S}.${string}`
  ? []
  : [events: 'named after another service'];

export function defineContract<S extends string, A extends Record<string, ActionContract>, E extends EventDefinitions>(
  contract: { service: S; actions: A; events: E },
  ..._owns: OwnsItsEvents<S, E>
): ServiceContract<S, A, E> {
  for (const name of Object.keys(contract.events)) {
    if (!name.startsWith(`${contract.service}.`)) throw new Error(`${contract.service} cannot own the event ${name}`);
  }
  return { service: contract.service, actions: { ...contract.actions, health: healthAction }, events: contract.events };
}
