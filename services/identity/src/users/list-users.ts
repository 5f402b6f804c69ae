import { escapeLikePattern, ForbiddenError, isAdmin, paginate, type PageOf, type ParamsOf } from '@ticketpro/shared';
import type { IdentityModels, User } from '../models';

/** A page of accounts by id, matching the role and search given; for admins only. */
export async function listUsers(
  models: IdentityModels,
  caller: User,
  { skip, limit, role, search }: ParamsOf<'identity.users.list'>,
): Promise<PageOf<User>> {
  if (!isAdmin(caller)) throw new ForbiddenError('Only admins may list users');
  const query = models.User.query().orderBy('id');
  if (role) query.where('role', role);
  if (search) {
    const pattern = `%${escapeLikePattern(search)}%`;
    query.where((q) => {
      q.where('firstname', 'ilike', pattern).orWhere('surname', 'ilike', pattern).orWhere('email', 'ilike', pattern);
    });
  }
  return paginate(query, { skip, limit });
}
