import { defineAction, escapeLikePattern, ForbiddenError, isAdmin, paginate } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { callerAccount } from '../auth/caller';
import { toUserView } from '../users/user-views';

export function listUsersAction(identity: IdentityAccess) {
  return defineAction('identity.users.list', async (ctx) => {
    const { models } = identity();
    const caller = await callerAccount(ctx, models);
    if (!isAdmin(caller)) throw new ForbiddenError('Only admins may list users');
    const { skip, limit, role, search } = ctx.params;
    const query = models.User.query().orderBy('id');
    if (role) query.where('role', role);
    if (search) {
      const pattern = `%${escapeLikePattern(search)}%`;
      query.where((q) => {
        q.where('firstname', 'ilike', pattern).orWhere('surname', 'ilike', pattern).orWhere('email', 'ilike', pattern);
      });
    }
    const page = await paginate(query, { skip, limit });
    return { ...page, items: page.items.map(toUserView) };
  });
}
