import { IdParams, NotFoundError, defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { assertSelfOrAdmin, authenticatedCaller } from '../auth/caller';
import { toUserView } from '../users/user-views';

export function getUserAction(identity: IdentityAccess) {
  return defineAction(IdParams, async (ctx) => {
    const { models } = identity();
    const caller = await authenticatedCaller(ctx, models);
    const { id } = ctx.params;
    assertSelfOrAdmin(caller, id);
    const user = id === caller.id ? caller : await models.User.query().findById(id);
    if (!user) throw new NotFoundError('User not found');
    return toUserView(user);
  });
}
