import type { Knex } from 'knex';
import { eventNameOf, projectUserEvent, type UserEvent } from '@ticketpro/shared';

/**
 * Keeps one account's names, address and state (for user activity and the attendees export),
 * with `deleted` marked; the registration's time is kept whenever it arrives.
 */
export async function applyUserEvent(trx: Knex.Transaction, envelope: UserEvent): Promise<void> {
  await projectUserEvent(trx, 'users', envelope, { deleted: true });
  if (eventNameOf(envelope.type) === 'identity.user.registered') {
    await trx('users').where('user_id', envelope.data.id).update({ registered_at: envelope.time });
  }
}
