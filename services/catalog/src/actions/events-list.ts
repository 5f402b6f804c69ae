import { dateRangeConditions, defineAction, escapeLikePattern, paginate } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { toEventSummaries } from '../events/event-views';

export function listEventsAction(catalog: CatalogAccess) {
  return defineAction('catalog.events.list', async (ctx) => {
    const { models } = catalog();
    const { skip, limit, search, location, organizer_id, from_date, to_date } = ctx.params;
    const query = models.Event.query().orderBy([{ column: 'date' }, { column: 'id' }]);
    if (search) {
      const pattern = `%${escapeLikePattern(search)}%`;
      query.where((q) => {
        q.where('event_name', 'ilike', pattern)
          .orWhere('description', 'ilike', pattern)
          .orWhere('location', 'ilike', pattern);
      });
    }
    if (location) query.where('location', 'ilike', `%${escapeLikePattern(location)}%`);
    if (organizer_id !== undefined) query.where('organizer_id', organizer_id);
    for (const [operator, at] of dateRangeConditions(from_date, to_date)) query.where('date', operator, at);
    const page = await paginate(query, { skip, limit });
    return { ...page, items: await toEventSummaries(ctx, models, page.items) };
  });
}
