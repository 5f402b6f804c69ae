import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { updateEvent } from '../listings/update-event';

export function updateEventAction(catalog: CatalogAccess) {
  return defineAction('catalog.events.update', async (ctx) => {
    const caller = publishingCaller(ctx);
    const { id, ...changes } = ctx.params;
    const event = await updateEvent(catalog(), ctx, caller, id, changes);
    ctx.locals.logger.info({ eventId: id, by: caller.id, fields: Object.keys(changes) }, 'event updated');
    return event;
  });
}
