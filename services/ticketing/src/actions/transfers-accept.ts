import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { acceptTransfer } from '../transfers/accept-transfer';
import { toTransferView } from '../transfers/transfer-view';

export function acceptTransferAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.transfers.accept', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const transfer = await acceptTransfer(ctx, ticketing(), caller, ctx.params.id);
    ctx.locals.logger.info(
      { ticketId: transfer.ticket_id, transferId: transfer.id, to: caller.id },
      'ticket transferred',
    );
    return toTransferView(transfer);
  });
}
