import { paginate, type PageOf, type ParamsOf } from '@ticketpro/shared';
import type { CatalogModels, TicketType } from '../models';
import { liveTicketTypes } from './find-ticket-type';

/** A page of live ticket types, by event and then cheapest first, of one event if given. */
export async function listTicketTypes(
  models: CatalogModels,
  { skip, limit, event_id }: ParamsOf<'catalog.ticketTypes.list'>,
): Promise<PageOf<TicketType>> {
  const query = liveTicketTypes(models)
    .where('ticket_types.hidden', false)
    .orderBy('ticket_types.event_id')
    .modify('byPrice');
  if (event_id !== undefined) query.where('ticket_types.event_id', event_id);
  return paginate(query, { skip, limit });
}
