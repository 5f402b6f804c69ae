import { NotFoundError } from '@ticketpro/shared';
import type { IdentityModels, User } from '../models';
import { assertSelfOrAdmin } from '../auth/caller';

/** The caller's own account, or any for an admin; 404 otherwise, so ids cannot be probed. */
export async function visibleUser(models: IdentityModels, caller: User, id: number): Promise<User> {
  assertSelfOrAdmin(caller, id);
  const user = id === caller.id ? caller : await models.User.query().findById(id);
  if (!user) throw new NotFoundError('User not found');
  return user;
}
