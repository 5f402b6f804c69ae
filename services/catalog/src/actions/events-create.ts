import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { createEvent } from '../listings/create-event';

export function createEventAction(catalog: CatalogAccess) {
  return defineAction('catalog.events.create', async (ctx) => {
    const caller = publishingCaller(ctx);
    const event = await createEvent(catalog(), ctx, caller, ctx.params);
    ctx.locals.logger.info({ eventId: event.id, by: caller.id }, 'event created');
    return event;
  });
}
