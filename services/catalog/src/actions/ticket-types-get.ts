import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { findTicketType } from '../ticket-types/find-ticket-type';
import { toTicketTypeView } from '../views/ticket-type-view';

export function getTicketTypeAction(catalog: CatalogAccess) {
  return defineAction('catalog.ticketTypes.get', async (ctx) =>
    toTicketTypeView(await findTicketType(catalog().models, ctx.params.id)),
  );
}
