import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { TicketingAccess } from '../runtime';
import { adminTransfer } from '../transfers/admin-transfer';
import { toTransferView } from '../transfers/transfer-view';

export function adminTransferAction(ticketing: TicketingAccess) {
  return defineAction('ticketing.transfers.adminTransfer', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const transfer = await adminTransfer(ctx, ticketing(), caller, ctx.params);
    ctx.locals.logger.info(
      { ticketId: transfer.ticket_id, transferId: transfer.id, to: transfer.to_user_id, by: caller.id },
      'ticket transferred by an admin',
    );
    return toTransferView(transfer);
  });
}
