import { IdParams, NotFoundError, defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { assertOwnerOrAdmin, publishingCaller } from '../auth/caller';
import { recordCatalogEvent } from '../domain-events';
import { retireTicketType } from '../ticket-types/retire-ticket-type';

export function deleteEventAction(catalog: CatalogAccess) {
  return defineAction(IdParams, async (ctx) => {
    const { models, resources } = catalog();
    const caller = publishingCaller(ctx);
    const { id } = ctx.params;
    const event = await models.Event.query().findById(id);
    if (!event) throw new NotFoundError('Event not found');
    assertOwnerOrAdmin(caller, event.organizer_id);

    await resources.db.transaction(async (trx) => {
      // Deleting the event row first waits for ticket types being added to it, and then sees them.
      const deleted = await models.Event.query(trx).where('id', id).softDelete();
      if (deleted === 0) throw new NotFoundError('Event not found');
      const ticketTypes = await models.TicketType.query(trx).where('event_id', id).orderBy('id').select('id');
      for (const ticketType of ticketTypes) {
        if (await retireTicketType(trx, models, ticketType.id)) {
          await recordCatalogEvent(trx, 'catalog.ticket_type.deleted', { id: ticketType.id, event_id: id });
        }
      }
      await recordCatalogEvent(trx, 'catalog.event.deleted', { id, organizer_id: event.organizer_id });
    });
    resources.relay.notify();
    ctx.locals.logger.info({ eventId: id, by: caller.id }, 'event deleted');
    return { message: 'Event deleted' };
  });
}
