import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { readEventView } from '../listings/read-event-view';

export function getEventAction(catalog: CatalogAccess) {
  return defineAction('catalog.events.get', async (ctx) => readEventView(ctx, catalog().models, ctx.params.id));
}
