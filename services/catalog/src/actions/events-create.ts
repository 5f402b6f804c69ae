import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { catalogEvents } from '../domain-events';
import { findEvent, toEventViews } from '../listings/event-views';
import { assertFutureDate } from '../listings/future-date';
import { withUniqueName } from '../listings/unique-name';
import { toEventFacts } from '../views/event-view';

export function createEventAction(catalog: CatalogAccess) {
  return defineAction('catalog.events.create', async (ctx) => {
    const { models, resources } = catalog();
    const caller = publishingCaller(ctx);
    assertFutureDate(ctx.params.date);
    const event = await resources.db.transaction(async (trx) => {
      const { id } = await withUniqueName(
        models.Event.query(trx).insert({ ...ctx.params, date: new Date(ctx.params.date), organizer_id: caller.id }),
      );
      const created = await findEvent(models, id, trx);
      await catalogEvents.record(trx, 'catalog.event.created', toEventFacts(created));
      return created;
    });
    ctx.locals.logger.info({ eventId: event.id, by: caller.id }, 'event created');
    const [view] = await toEventViews(ctx, models, [event]);
    return view;
  });
}
