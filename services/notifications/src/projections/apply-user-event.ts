import type { Knex } from 'knex';
import { eventNameOf, type AcceptedEnvelope } from '@ticketpro/shared';

/** Identity's events the recipient projection is fed from, in the versions it reads. */
export const USER_EVENTS = {
  'identity.user.registered': [1, 2],
  'identity.user.updated': [1, 2, 3],
  'identity.user.deleted': [1],
} as const;
export type UserEvent = AcceptedEnvelope<typeof USER_EVENTS>;

/**
 * Keeps one user's address and names in step. Events may arrive late or out of order, so a row
 * only takes facts newer than those it has (`as_of`). A version without the address keeps the
 * one known; a deleted account keeps no address, so nothing more is sent to it.
 */
export async function applyUserEvent(trx: Knex.Transaction, envelope: UserEvent): Promise<void> {
  const { data, time } = envelope;
  if (eventNameOf(envelope.type) === 'identity.user.deleted') {
    await trx('recipients')
      .insert({ user_id: data.id, email: null, firstname: '', surname: '', active: false, as_of: time })
      .onConflict('user_id')
      .merge({ email: null, active: false, as_of: time })
      .where('recipients.as_of', '<', time);
    return;
  }
  const user = data as Extract<UserEvent, { type: 'ticketpro.identity.user.registered' }>['data'];
  const email = 'email' in user ? user.email : undefined;
  const facts = { firstname: user.firstname, surname: user.surname, active: user.active, as_of: time };
  await trx('recipients')
    .insert({ user_id: user.id, email: email ?? null, ...facts })
    .onConflict('user_id')
    .merge(email === undefined ? facts : { ...facts, email })
    .where('recipients.as_of', '<', time);
}
