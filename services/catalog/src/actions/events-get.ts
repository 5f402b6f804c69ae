import { IdParams, defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { findEvent, toEventViews } from '../events/event-views';

export function getEventAction(catalog: CatalogAccess) {
  return defineAction(IdParams, async (ctx) => {
    const { models } = catalog();
    const [view] = await toEventViews(ctx, models, [await findEvent(models, ctx.params.id)]);
    return view;
  });
}
