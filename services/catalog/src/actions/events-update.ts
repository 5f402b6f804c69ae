import { NotFoundError, defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { assertOwnerOrAdmin, publishingCaller } from '../auth/caller';
import { catalogEvents } from '../domain-events';
import { findEvent, toEventViews } from '../listings/event-views';
import { assertFutureDate } from '../listings/future-date';
import { withUniqueName } from '../listings/unique-name';
import { toEventFacts } from '../views/event-view';

export function updateEventAction(catalog: CatalogAccess) {
  return defineAction('catalog.events.update', async (ctx) => {
    const { models, resources } = catalog();
    const caller = publishingCaller(ctx);
    const { id, ...changes } = ctx.params;
    const current = await models.Event.query().findById(id);
    if (!current) throw new NotFoundError('Event not found');
    assertOwnerOrAdmin(caller, current.organizer_id);
    if (changes.date !== undefined) assertFutureDate(changes.date);

    const event = await resources.db.transaction(async (trx) => {
      const patch = { ...changes, date: changes.date === undefined ? undefined : new Date(changes.date) };
      const changed = await withUniqueName(models.Event.query(trx).patch(patch).where('id', id));
      // Deleted since it was read.
      if (changed === 0) throw new NotFoundError('Event not found');
      const updated = await findEvent(models, id, trx);
      await catalogEvents.record(trx, 'catalog.event.updated', toEventFacts(updated));
      return updated;
    });
    ctx.locals.logger.info({ eventId: id, by: caller.id, fields: Object.keys(changes) }, 'event updated');
    const [view] = await toEventViews(ctx, models, [event]);
    return view;
  });
}
