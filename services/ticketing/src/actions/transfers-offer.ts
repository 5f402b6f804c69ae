import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { offerTransfer } from '../transfers/offer-transfer';
import { toTransferView } from '../transfers/transfer-view';

export function offerTransferAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.transfers.offer', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const transfer = await offerTransfer(ctx, ticketing(), caller, ctx.params);
    ctx.locals.logger.info({ ticketId: transfer.ticket_id, transferId: transfer.id }, 'ticket transfer offered');
    return toTransferView(transfer);
  });
}
