import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { callerAccount } from '../auth/caller';
import { visibleUser } from '../users/find-user';
import { toUserView } from '../users/user-views';

export function getUserAction(identity: IdentityAccess) {
  return defineAction('identity.users.get', async (ctx) => {
    const { models } = identity();
    const caller = await callerAccount(ctx, models);
    return toUserView(await visibleUser(models, caller, ctx.params.id));
  });
}
