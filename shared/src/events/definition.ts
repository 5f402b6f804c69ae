import type { TSchema } from '@sinclair/typebox';

/** An event's payload schemas by version: `{ 1: schema }`, then `{ 1: old, 2: new }` after a breaking change. */
export type EventVersions = { readonly [version: number]: TSchema };

/** The highest of some numeric literals (event versions are small, so counting up is cheap). */
type Highest<N extends number, Count extends unknown[] = [], Found extends number = never> = number extends N
  ? number
  : [N] extends [never]
    ? Found
    : Count['length'] extends N
      ? Highest<Exclude<N, Count['length']>, [...Count, unknown], Count['length']>
      : Highest<N, [...Count, unknown], Found>;

/** Any event's definition, whatever its versions. */
export interface AnyEventDefinition {
  versions: EventVersions;
  latest: number;
}

export interface EventDefinition<V extends EventVersions> extends AnyEventDefinition {
  versions: V;
  /** The version producers record; consumers name the versions they read. */
  latest: Highest<keyof V & number>;
}

/**
 * One domain event of a service's contract, with every version of its payload it ever had. A
 * breaking change adds a version rather than changing one: events already in the stream keep
 * theirs, and each consumer states which versions it reads (see `EventAcceptance`).
 */
export function versionedEvent<const V extends EventVersions>(versions: V): EventDefinition<V> {
  const numbers = Object.keys(versions).map(Number);
  if (numbers.length === 0 || numbers.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error('An event needs versions numbered from 1');
  }
  return { versions, latest: Math.max(...numbers) as EventDefinition<V>['latest'] };
}

export type EventDefinitions = { readonly [name: string]: AnyEventDefinition };
