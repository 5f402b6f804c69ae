import { authenticatedCaller, defineAction, ForbiddenError, isAdmin, pageOf } from '@ticketpro/shared';
import type { NotificationsAccess } from '../runtime';
import { NOTIFICATION_COLUMNS, toNotificationView } from '../messages/notification-view';

/** Every message's state, newest first, for admins: filtered by recipient, kind and status. */
export function listNotificationsAction(notifications: NotificationsAccess) {
  return defineAction('notifications.notifications.list', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    if (!isAdmin(caller)) throw new ForbiddenError('Only an admin may list notifications');
    const { skip, limit, recipient_id, kind, status } = ctx.params;
    const { db } = notifications().resources;
    const query = db('messages');
    if (recipient_id !== undefined) query.where('recipient_id', recipient_id);
    if (kind !== undefined) query.where('kind', kind);
    if (status !== undefined) query.where('status', status);
    const [{ count }] = await query.clone().count<{ count: string | number }[]>({ count: '*' });
    const rows = await query
      .select(NOTIFICATION_COLUMNS)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .offset(skip)
      .limit(limit);
    return pageOf(rows.map(toNotificationView), Number(count), { skip, limit });
  });
}
