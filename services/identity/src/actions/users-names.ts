import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';

/**
 * The public names of the given users, for other services to show beside their records. Deleted
 * users are included (an event keeps its organizer's name); ids of no user are left out. For
 * calls between services: it needs no caller, and the gateway routes no URL to it.
 */
export function userNamesAction(identity: IdentityAccess) {
  return defineAction('identity.users.names', async (ctx) => {
    const users = await identity()
      .models.User.query()
      .withDeleted()
      .select('id', 'firstname', 'surname')
      .whereIn('id', ctx.params.ids)
      .orderBy('id');
    // Plain objects: in embedded mode the caller gets the value itself, not a serialised copy.
    return users.map(({ id, firstname, surname }) => ({ id, firstname, surname }));
  });
}
