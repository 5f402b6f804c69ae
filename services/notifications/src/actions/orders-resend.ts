import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { NotificationsAccess } from '../runtime';
import { resendDelivery } from '../messages/resend-delivery';

/** An order's ticket delivery sent again (messages/resend-delivery.ts says to whom and how often). */
export function resendOrderAction(notifications: NotificationsAccess) {
  return defineAction('notifications.orders.resend', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const queued = await resendDelivery(ctx, notifications(), caller, ctx.params.id);
    ctx.locals.logger.info(
      { orderId: ctx.params.id, by: caller.id, messageId: queued.id },
      'ticket delivery resend queued',
    );
    return queued;
  });
}
