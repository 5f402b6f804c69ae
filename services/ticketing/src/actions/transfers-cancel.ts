import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { cancelTransfer } from '../transfers/cancel-transfer';
import { toTransferView } from '../transfers/transfer-view';

export function cancelTransferAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.transfers.cancel', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const transfer = await cancelTransfer(ticketing(), caller, ctx.params.id);
    ctx.locals.logger.info({ transferId: transfer.id, by: caller.id }, 'ticket transfer cancelled');
    return toTransferView(transfer);
  });
}
