import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { listWaitlist } from '../waitlist/read-waitlist';
import { toWaitlistEntry } from '../waitlist/waitlist-view';

export function listWaitlistAction(catalog: CatalogAccess) {
  return defineAction('catalog.waitlist.list', async (ctx) => {
    const page = await listWaitlist(catalog(), authenticatedCaller(ctx), ctx.params);
    return { ...page, items: page.items.map(toWaitlistEntry) };
  });
}
