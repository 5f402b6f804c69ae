import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { listTicketTypes } from '../ticket-types/list-ticket-types';
import { toTicketTypeView } from '../views/ticket-type-view';

export function listTicketTypesAction(catalog: CatalogAccess) {
  return defineAction('catalog.ticketTypes.list', async (ctx) => {
    const page = await listTicketTypes(catalog().models, ctx.params);
    return { ...page, items: page.items.map(toTicketTypeView) };
  });
}
