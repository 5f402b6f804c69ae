import type { Knex } from 'knex';
import { eventNameOf, type AcceptedEnvelope } from '@ticketpro/shared';
import { advanceClock } from './clock';

/** Identity's events the account projection is fed from, in the versions it reads. */
export const USER_EVENTS = {
  'identity.user.registered': [1, 2],
  'identity.user.updated': [1, 2, 3],
  'identity.user.deleted': [1],
} as const;
export type UserEvent = AcceptedEnvelope<typeof USER_EVENTS>;

/**
 * Keeps one account's names, address and state (for user activity and the attendees export).
 * A row only takes facts newer than its own (`as_of`); the registration's time is kept whenever
 * it arrives. A version without the address keeps the one known.
 */
export async function applyUserEvent(trx: Knex.Transaction, envelope: UserEvent): Promise<void> {
  const { data, time } = envelope;
  const name = eventNameOf(envelope.type);
  if (name === 'identity.user.deleted') {
    await trx('users')
      .insert({ user_id: data.id, firstname: '', surname: '', active: false, deleted: true, as_of: time })
      .onConflict('user_id')
      .merge({ email: null, active: false, deleted: true, as_of: time })
      .where('users.as_of', '<', time);
  } else {
    const user = data as Extract<UserEvent, { type: 'ticketpro.identity.user.registered' }>['data'];
    const email = 'email' in user ? user.email : undefined;
    const facts = { firstname: user.firstname, surname: user.surname, active: user.active, as_of: time };
    await trx('users')
      .insert({ user_id: user.id, email: email ?? null, ...facts })
      .onConflict('user_id')
      .merge(email === undefined ? facts : { ...facts, email })
      .where('users.as_of', '<', time);
    if (name === 'identity.user.registered') {
      await trx('users').where('user_id', user.id).update({ registered_at: time });
    }
  }
  await advanceClock(trx, time);
}
