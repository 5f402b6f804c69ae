import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { callerAccount } from '../auth/caller';
import { updateUser } from '../users/update-user';
import { toUserView } from '../users/user-views';

export function updateUserAction(identity: IdentityAccess) {
  return defineAction('identity.users.update', async (ctx) => {
    const runtime = identity();
    const caller = await callerAccount(ctx, runtime.models);
    const { id, ...changes } = ctx.params;
    const user = await updateUser(runtime, caller, id, changes);
    ctx.locals.logger.info({ userId: id, by: caller.id, fields: Object.keys(changes) }, 'user updated');
    return toUserView(user);
  });
}
