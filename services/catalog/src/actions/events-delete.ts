import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { deleteEvent } from '../listings/delete-event';

export function deleteEventAction(catalog: CatalogAccess) {
  return defineAction('catalog.events.delete', async (ctx) => {
    const caller = publishingCaller(ctx);
    const { id } = ctx.params;
    const cancelled = await deleteEvent(catalog(), ctx, caller, id);
    ctx.locals.logger.info({ eventId: id, by: caller.id, cancelledOrders: cancelled }, 'event deleted');
    const orders = cancelled === 1 ? '1 pending order' : `${cancelled} pending orders`;
    return { message: cancelled ? `Event deleted; ${orders} cancelled` : 'Event deleted' };
  });
}
