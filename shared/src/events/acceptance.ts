import {
  EVENT_TYPE_PREFIX,
  isEventName,
  type AnyEventEnvelope,
  type EventAcceptance,
  type EventName,
} from './catalogue';

/**
 * What a consumer does with an event it is handed:
 * - `handle` it: a version the consumer accepts;
 * - `wait`: a version newer than any it accepts. A producer was deployed before the consumers that
 *   read its new version; the event is left for redelivery (with the backoff of a failed handler)
 *   until a consumer that reads it is running, rather than dropped or misread;
 * - `skip` it (acknowledged and logged, not handled): a version older than the newest the
 *   consumer accepts but not among those it lists: it declared it stopped reading that one;
 * - `ignore` it (acknowledged): an event it does not follow (a filter subject may cover more).
 */
export type Verdict = 'handle' | 'wait' | 'skip' | 'ignore';

export function verdictOn(acceptance: EventAcceptance, envelope: { type: string; dataversion: number }): Verdict {
  const name = envelope.type.slice(EVENT_TYPE_PREFIX.length + 1);
  if (!envelope.type.startsWith(`${EVENT_TYPE_PREFIX}.`) || !isEventName(name)) return 'ignore';
  const accepted: readonly number[] | undefined = acceptance[name];
  if (!accepted) return 'ignore';
  if (accepted.includes(envelope.dataversion)) return 'handle';
  return envelope.dataversion > Math.max(...accepted) ? 'wait' : 'skip';
}

/** The names of the events a consumer follows. */
export function acceptedNames<A extends EventAcceptance>(acceptance: A): (keyof A & EventName)[] {
  return Object.keys(acceptance) as (keyof A & EventName)[];
}

/** Thrown where a consumer must leave an event for later (`wait`): the handler failed, in effect. */
export class UnacceptedVersionError extends Error {
  constructor(consumer: string, envelope: Pick<AnyEventEnvelope, 'type' | 'dataversion' | 'id'>) {
    super(
      `${consumer} reads no version ${envelope.dataversion} of ${envelope.type} (event ${envelope.id}); ` +
        'it waits until a consumer that reads it is deployed',
    );
  }
}
