import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { callerAccount } from '../auth/caller';
import { listUsers } from '../users/list-users';
import { toUserView } from '../users/user-views';

export function listUsersAction(identity: IdentityAccess) {
  return defineAction('identity.users.list', async (ctx) => {
    const { models } = identity();
    const page = await listUsers(models, await callerAccount(ctx, models), ctx.params);
    return { ...page, items: page.items.map(toUserView) };
  });
}
