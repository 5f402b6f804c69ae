import type { ResultOf } from '@ticketpro/shared';
import type { IdentityModels } from '../models';

/**
 * The public names of the given users. Deleted users are included (an event keeps its
 * organizer's name); ids of no user are left out.
 */
export async function userNames(models: IdentityModels, ids: number[]): Promise<ResultOf<'identity.users.names'>> {
  const users = await models.User.query()
    .withDeleted()
    .select('id', 'firstname', 'surname')
    .whereIn('id', ids)
    .orderBy('id');
  // Plain objects: in embedded mode the caller gets the value itself, not a serialised copy.
  return users.map(({ id, firstname, surname }) => ({ id, firstname, surname }));
}
