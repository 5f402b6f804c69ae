import { randomUUID } from 'node:crypto';
import {
  call,
  ConflictError,
  isAdmin,
  lockFor,
  NotFoundError,
  ProblemError,
  type AuthUser,
  type RequestContext,
} from '@ticketpro/shared';
import type { NotificationsRuntime } from '../runtime';
import { enqueueMessage } from './enqueue';
import { findOrder, validOrderTickets } from './message-facts';
import { NOTIFICATION_COLUMNS, toNotificationView } from './notification-view';

const HOUR_MS = 3_600_000;

/**
 * Queues a paid order's ticket delivery again, to its buyer, with the tickets still valid: for
 * the buyer or an admin; anyone else is told the order does not exist (404), as for a missing
 * one. An order the projection does not have yet is looked up in ordering (through the
 * request's context, so with the caller), which answers the same way. Each caller may ask
 * `RATE_LIMIT_RESEND` times an hour (429 beyond): the count is kept with the messages, so it
 * holds across instances, and one caller's requests are counted one at a time (a lock on the
 * caller), so that several at once cannot all slip under it.
 */
export async function resendDelivery(
  ctx: RequestContext<unknown>,
  { config, resources, mail }: NotificationsRuntime,
  caller: AuthUser,
  orderId: number,
) {
  const order = await findOrder(resources.db, orderId);
  if (!order) {
    const current = await call(ctx, 'ordering.orders.get', { id: orderId });
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
  void mail.drain();
  return toNotificationView(await resources.db('messages').where('id', id).first(NOTIFICATION_COLUMNS));
}
