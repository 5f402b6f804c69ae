import {
  dateRangeConditions,
  escapeLikePattern,
  paginate,
  type EventSummary,
  type PageOf,
  type ParamsOf,
  type RequestContext,
} from '@ticketpro/shared';
import type { CatalogModels } from '../models';
import { toEventSummaries } from './event-views';

/** A page of live events by date, matching the search and filters given. */
export async function listEvents(
  ctx: RequestContext<unknown>,
  models: CatalogModels,
  params: ParamsOf<'catalog.events.list'>,
): Promise<PageOf<EventSummary>> {
  const { skip, limit, search, location, organizer_id, from_date, to_date } = params;
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
}
