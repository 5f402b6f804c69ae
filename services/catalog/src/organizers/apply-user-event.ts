import type { Knex } from 'knex';
import type { UserEvent } from '@ticketpro/shared';

/**
 * Keeps the organizer projection in step with one identity event (of `USER_EVENTS`, whose every
 * version carries the names and role it needs). Events may arrive late or out
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
