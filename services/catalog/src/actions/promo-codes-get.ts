import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { getPromoCode } from '../promo-codes/manage-promo-codes';
import { toPromoCodeView } from '../views/promo-code-view';

export function getPromoCodeAction(catalog: CatalogAccess) {
  return defineAction('catalog.promoCodes.get', async (ctx) =>
    toPromoCodeView(await getPromoCode(catalog(), publishingCaller(ctx), ctx.params)),
  );
}
