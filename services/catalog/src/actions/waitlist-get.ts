import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { waitlistPosition } from '../waitlist/read-waitlist';
import { toWaitlistPosition } from '../waitlist/waitlist-view';

export function getWaitlistAction(catalog: CatalogAccess) {
  return defineAction('catalog.waitlist.get', async (ctx) =>
    toWaitlistPosition(await waitlistPosition(catalog(), authenticatedCaller(ctx), ctx.params.id)),
  );
}
