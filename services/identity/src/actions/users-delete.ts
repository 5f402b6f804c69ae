import { defineAction } from '@ticketpro/shared';
import type { IdentityAccess } from '../runtime';
import { callerAccount } from '../auth/caller';
import { deleteUser } from '../users/delete-user';

export function deleteUserAction(identity: IdentityAccess) {
  return defineAction('identity.users.delete', async (ctx) => {
    const runtime = identity();
    const caller = await callerAccount(ctx, runtime.models);
    const { id } = ctx.params;
    await deleteUser(runtime, caller, id);
    ctx.locals.logger.info({ userId: id, by: caller.id }, 'user deleted');
    return null;
  });
}
