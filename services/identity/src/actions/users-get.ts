import { NotFoundError, defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { assertSelfOrAdmin, callerAccount } from '../auth/caller';
import { toUserView } from '../users/user-views';

export function getUserAction(identity: IdentityAccess) {
  return defineAction('identity.users.get', async (ctx) => {
    const { models } = identity();
    const caller = await callerAccount(ctx, models);
    const { id } = ctx.params;
    assertSelfOrAdmin(caller, id);
    const user = id === caller.id ? caller : await models.User.query().findById(id);
    if (!user) throw new NotFoundError('User not found');
    return toUserView(user);
  });
}
