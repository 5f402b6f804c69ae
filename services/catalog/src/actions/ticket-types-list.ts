import { defineAction, paginate } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { liveTicketTypes } from '../ticket-types/find-ticket-type';
import { toTicketTypeView } from '../views/ticket-type-view';

export function listTicketTypesAction(catalog: CatalogAccess) {
  return defineAction('catalog.ticketTypes.list', async (ctx) => {
    const { models } = catalog();
    const { skip, limit, event_id } = ctx.params;
    const query = liveTicketTypes(models).orderBy('ticket_types.event_id').modify('byPrice');
    if (event_id !== undefined) query.where('ticket_types.event_id', event_id);
    const page = await paginate(query, { skip, limit });
    return { ...page, items: page.items.map(toTicketTypeView) };
  });
}
