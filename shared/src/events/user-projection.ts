import type { Knex } from 'knex';
import { eventNameOf, type AcceptedEnvelope } from './catalogue';

/** Identity's events a service's projection of accounts is fed from, in the versions it reads. */
export const USER_EVENTS = {
  'identity.user.registered': [1, 2],
  'identity.user.updated': [1, 2, 3],
  'identity.user.deleted': [1],
} as const;
export type UserEvent = AcceptedEnvelope<typeof USER_EVENTS>;

/**
 * Keeps one account's names, address and state in step in `table` (keyed by `user_id`, with
 * `as_of`). Events may arrive late or out of order, so a row only takes facts newer than those
 * it has. A version without the address keeps the one known; a deleted account keeps none, and
 * gets `deletedFacts` too (the columns the projection keeps besides).
 */
export async function projectUserEvent(
  trx: Knex.Transaction,
  table: string,
  envelope: UserEvent,
  deletedFacts: Record<string, unknown> = {},
): Promise<void> {
  const { data, time } = envelope;
  if (eventNameOf(envelope.type) === 'identity.user.deleted') {
    const gone = { email: null, active: false, ...deletedFacts, as_of: time };
    await trx(table)
      .insert({ user_id: data.id, firstname: '', surname: '', ...gone })
      .onConflict('user_id')
      .merge(gone)
      .where(`${table}.as_of`, '<', time);
    return;
  }
  const user = data as Extract<UserEvent, { type: 'ticketpro.identity.user.registered' }>['data'];
  const email = 'email' in user ? user.email : undefined;
  const facts = { firstname: user.firstname, surname: user.surname, active: user.active, as_of: time };
  await trx(table)
    .insert({ user_id: user.id, email: email ?? null, ...facts })
    .onConflict('user_id')
    .merge(email === undefined ? facts : { ...facts, email })
    .where(`${table}.as_of`, '<', time);
}
