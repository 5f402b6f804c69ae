import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { leaveWaitlist } from '../waitlist/leave-waitlist';

export function leaveWaitlistAction(catalog: CatalogAccess) {
  return defineAction('catalog.waitlist.leave', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    await leaveWaitlist(catalog(), caller, ctx.params.id);
    ctx.locals.logger.info({ ticketTypeId: ctx.params.id, by: caller.id }, 'waiting list left');
    return { message: 'You have left the waiting list' };
  });
}
