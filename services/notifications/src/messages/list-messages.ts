import { pageOf, type ListNotificationsQuery } from '@ticketpro/shared';
import type { NotificationsRuntime } from '../runtime';
import { NOTIFICATION_COLUMNS, toNotificationView } from './notification-view';

/** A page of messages and their state, newest first, filtered by recipient, kind and status. */
export async function listMessages(
  { resources }: NotificationsRuntime,
  { skip, limit, recipient_id, kind, status }: ListNotificationsQuery,
) {
  const query = resources.db('messages');
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
}
