import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { listPromoCodes } from '../promo-codes/manage-promo-codes';
import { toPromoCodeView } from '../views/promo-code-view';

export function listPromoCodesAction(catalog: CatalogAccess) {
  return defineAction('catalog.promoCodes.list', async (ctx) => {
    const page = await listPromoCodes(catalog(), publishingCaller(ctx), ctx.params);
    return { ...page, items: page.items.map(toPromoCodeView) };
  });
}
