import { randomUUID } from 'node:crypto';
import {
  authenticatedCaller,
  call,
  ConflictError,
  defineAction,
  isAdmin,
  lockFor,
  NotFoundError,
  ProblemError,
} from '@ticketpro/shared';
import type { NotificationsAccess } from '../runtime';
import { enqueueMessage } from '../messages/enqueue';
import { findOrder, validOrderTickets } from '../messages/message-facts';
import { NOTIFICATION_COLUMNS, toNotificationView } from '../messages/notification-view';

const HOUR_MS = 3_600_000;

/**
 * Queues a paid order's ticket delivery again, to its buyer, with the tickets still valid: for
 * the buyer or an admin; anyone else is told the order does not exist (404), as for a missing
 * one. An order the projection does not have yet is looked up in ordering, which answers the
 * same way. Each caller may ask `RATE_LIMIT_RESEND` times an hour (429 beyond): the count is kept
 * with the messages, so it holds across instances, and one caller's requests are counted one at
 * a time (a lock on the caller), so that several at once cannot all slip under it.
 */
export function resendOrderAction(notifications: NotificationsAccess) {
  return defineAction('notifications.orders.resend', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const { config, resources } = notifications();
    const order = await findOrder(resources.db, ctx.params.id);
    if (!order) {
      // Not heard of yet (its event is on its way), or not there at all: ordering says which,
      // and whether the caller may see it (404 if not); either way there is nothing to send yet.
      const current = await call(ctx, 'ordering.orders.get', { id: ctx.params.id });
      throw new ConflictError('The order has no tickets to send yet', { payment_status: current.payment_status });
    }
    if (order.user_id !== caller.id && !isAdmin(caller)) throw new NotFoundError('Order not found');
    if (order.payment_status !== 'completed') {
      throw new ConflictError('Only a paid order has tickets to send', { payment_status: order.payment_status });
    }
    const tickets = await validOrderTickets(resources.db, order.order_id);
    if (tickets.length === 0) throw new ConflictError('The order has no valid tickets to send yet');

    const id = await resources.db.transaction(async (trx) => {
      await lockFor(trx, 'notifications.resend', caller.id);
      if (config.RATE_LIMIT_RESEND > 0) {
        const [{ count }] = await trx('messages')
          .where('requested_by', caller.id)
          .where('created_at', '>', new Date(Date.now() - HOUR_MS))
          .count<{ count: string | number }[]>({ count: '*' });
        if (Number(count) >= config.RATE_LIMIT_RESEND) {
          throw new ProblemError('rate-limited', `Too many resends; at most ${config.RATE_LIMIT_RESEND} an hour`);
        }
      }
      return enqueueMessage(trx, {
        source: `resend:${randomUUID()}`,
        recipientId: order.user_id,
        kind: 'ticket_delivery',
        orderId: order.order_id,
        details: { ticket_ids: tickets.map((t) => t.ticket_id) },
        requestedBy: caller.id,
      });
    });
    ctx.locals.logger.info({ orderId: order.order_id, by: caller.id, messageId: id }, 'ticket delivery resend queued');
    return toNotificationView(await resources.db('messages').where('id', id).first(NOTIFICATION_COLUMNS));
  });
}
