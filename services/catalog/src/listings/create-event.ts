import type { AuthUser, Event as EventView, ParamsOf, RequestContext } from '@ticketpro/shared';
import type { CatalogRuntime } from '../runtime';
import { catalogEvents } from '../domain-events';
import { toEventFacts } from '../views/event-view';
import { findEvent, toEventViews } from './event-views';
import { assertFutureDate } from './future-date';
import { withUniqueName } from './unique-name';

/** Publishes an event under the caller's name, recording `catalog.event.created` with it. */
export async function createEvent(
  catalog: CatalogRuntime,
  ctx: RequestContext<unknown>,
  caller: AuthUser,
  fields: ParamsOf<'catalog.events.create'>,
): Promise<EventView> {
  const { models, resources } = catalog;
  assertFutureDate(fields.date);
  const event = await resources.db.transaction(async (trx) => {
    const { id } = await withUniqueName(
      models.Event.query(trx).insert({ ...fields, date: new Date(fields.date), organizer_id: caller.id }),
    );
    const created = await findEvent(models, id, trx);
    await catalogEvents.record(trx, 'catalog.event.created', toEventFacts(created));
    return created;
  });
  const [view] = await toEventViews(ctx, models, [event]);
  return view;
}
