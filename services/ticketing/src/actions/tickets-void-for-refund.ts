import { defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { voidForRefund } from '../refunds/void-for-refund';

/** Called by ordering's refund before the money goes back; not routed over HTTP. */
export function voidForRefundAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.tickets.voidForRefund', async (ctx) => {
    const { models, resources } = ticketing();
    const result = await voidForRefund(resources.db, models, ctx.params.order_id, ctx.params.ticket_ids);
    ctx.locals.logger.info({ orderId: result.order_id, voided: result.voided }, 'tickets voided for a refund');
    return result;
  });
}
