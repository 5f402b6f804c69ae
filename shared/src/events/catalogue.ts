import type { Static, TSchema } from '@sinclair/typebox';
import { CONTRACTS } from '../contracts/registry';
import type { AnyEventDefinition } from './definition';

/**
 * The CloudEvents `type` of every TicketPro event is this, a dot, and the event's name:
 * `ticketpro.identity.user.registered`. (Not the NATS subject prefix, `EVENT_SUBJECT_PREFIX`,
 * which a test run changes to keep its own subjects; the type never changes.)
 */
export const EVENT_TYPE_PREFIX = 'ticketpro';

type Contracts = typeof CONTRACTS;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type Catalogue = UnionToIntersection<{ [S in keyof Contracts]: Contracts[S]['events'] }[keyof Contracts]>;

/**
 * The one catalogue of domain events, gathered from the services' contracts (each event is
 * owned by one service): name → its payload schema per version, and the latest version, the
 * one producers record.
 */
export const EVENT_CATALOGUE = Object.assign({}, ...Object.values(CONTRACTS).map((c) => c.events)) as Catalogue &
  Record<EventName, AnyEventDefinition>;

export type EventName = keyof Catalogue & string;
export type EventVersion<N extends EventName> = keyof Catalogue[N]['versions'] & number;
export type LatestVersion<N extends EventName> = Catalogue[N]['latest'];
/** An event's payload in one version, by default the one producers record now. */
export type EventData<N extends EventName, V extends number = LatestVersion<N>> = Catalogue[N]['versions'][V &
  EventVersion<N>] extends infer S extends TSchema
  ? Static<S>
  : never;

export type EventType<N extends EventName = EventName> = `${typeof EVENT_TYPE_PREFIX}.${N}`;

/** The message on the wire, in one version of its payload: CloudEvents attribute names, JSON. */
export interface VersionedEnvelope<N extends EventName, V extends number> {
  id: string;
  type: EventType<N>;
  source: string;
  time: string;
  specversion: '1.0';
  dataversion: V;
  data: EventData<N, V>;
}

/** An event as producers record it now: its latest version. */
export type EventEnvelope<N extends EventName = EventName> = N extends EventName
  ? VersionedEnvelope<N, LatestVersion<N>>
  : never;

/** Any event in any version: what the stream, the outbox and the relay carry. */
export type AnyEventEnvelope = {
  [N in EventName]: { [V in EventVersion<N>]: VersionedEnvelope<N, V> }[EventVersion<N>];
}[EventName];

/**
 * What a consumer reads: each event it follows, with the versions of it that it accepts
 * (`{ 'identity.user.updated': [1, 2] }`). An event in a version the consumer does not list is
 * not handled: see `acceptance` for what happens to it instead.
 */
export type EventAcceptance = { readonly [N in EventName]?: readonly EventVersion<N>[] };

/** The envelopes a consumer that accepts `A` is handed: one per event and accepted version. */
export type AcceptedEnvelope<A extends EventAcceptance> = {
  [N in keyof A & EventName]: A[N] extends readonly (infer V)[]
    ? V extends EventVersion<N>
      ? VersionedEnvelope<N, V>
      : never
    : never;
}[keyof A & EventName];

export function isEventName(value: string): value is EventName {
  return Object.prototype.hasOwnProperty.call(EVENT_CATALOGUE, value);
}

export function eventType<N extends EventName>(name: N): EventType<N> {
  return `${EVENT_TYPE_PREFIX}.${name}`;
}

/** The event's name from its type: `ticketpro.ordering.order.paid` → `ordering.order.paid`. */
export function eventNameOf<N extends EventName>(type: EventType<N>): N {
  return type.slice(EVENT_TYPE_PREFIX.length + 1) as N;
}

/** `ticketpro.identity.user.registered`, or another prefix where tests keep their own subjects. */
export function subjectFor(prefix: string, name: EventName): string {
  return `${prefix}.${name}`;
}
