import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { joinWaitlist } from '../waitlist/join-waitlist';
import { toWaitlistPosition } from '../waitlist/waitlist-view';

export function joinWaitlistAction(catalog: CatalogAccess) {
  return defineAction('catalog.waitlist.join', async (ctx) => {
    const caller = authenticatedCaller(ctx);
    const entry = await joinWaitlist(catalog(), caller, ctx.params);
    ctx.locals.logger.info(
      { ticketTypeId: ctx.params.id, by: caller.id, quantity: ctx.params.quantity, position: entry.position },
      'waiting list joined',
    );
    return toWaitlistPosition(entry);
  });
}
