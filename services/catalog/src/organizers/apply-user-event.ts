import type { Knex } from 'knex';
import type { AcceptedEnvelope } from '@ticketpro/shared';

/**
 * The identity events the organizer projection is fed from, in the versions it reads: it needs
 * names and roles only, which both versions of `identity.user.updated` carry.
 */
export const USER_EVENTS = {
  'identity.user.registered': [1, 2],
  'identity.user.updated': [1, 2, 3],
  'identity.user.deleted': [1],
} as const;
export type UserEvent = AcceptedEnvelope<typeof USER_EVENTS>;

/**
 * Keeps the organizer projection in step with one identity event. Events may arrive late or out
 * of order, so a row only takes names newer than the ones it has (`as_of`, the event time).
 * Only organizers and admins publish events, so a plain user's names are kept only once they
 * are in the projection (an organizer demoted later still owns their events).
 */
export async function applyUserEvent(trx: Knex.Transaction, envelope: UserEvent): Promise<void> {
  const { data, time } = envelope;
  // A deleted account's events stay listed under the name they were published with.
  if (!('firstname' in data)) return;
  const names = { firstname: data.firstname, surname: data.surname, as_of: time };
  if (data.role === 'user') {
    await trx('organizers').where('id', data.id).where('as_of', '<', time).update(names);
    return;
  }
  await trx('organizers')
    .insert({ id: data.id, ...names })
    .onConflict('id')
    .merge()
    .where('organizers.as_of', '<', time);
}
