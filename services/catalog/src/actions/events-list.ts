import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { listEvents } from '../listings/list-events';

export function listEventsAction(catalog: CatalogAccess) {
  return defineAction('catalog.events.list', async (ctx) => listEvents(ctx, catalog().models, ctx.params));
}
