import { authenticatedCaller, defineAction, ForbiddenError, isAdmin } from '@ticketpro/shared';
import type { NotificationsAccess } from '../runtime';
import { listMessages } from '../messages/list-messages';

/** Every message's state, newest first, for admins: filtered by recipient, kind and status. */
export function listNotificationsAction(notifications: NotificationsAccess) {
  return defineAction('notifications.notifications.list', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    if (!isAdmin(caller)) throw new ForbiddenError('Only an admin may list notifications');
    return listMessages(notifications(), ctx.params);
  });
}
