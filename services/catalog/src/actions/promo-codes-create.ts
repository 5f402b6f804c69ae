import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { createPromoCode } from '../promo-codes/manage-promo-codes';
import { toPromoCodeView } from '../views/promo-code-view';

export function createPromoCodeAction(catalog: CatalogAccess) {
  return defineAction('catalog.promoCodes.create', async (ctx) => {
    const caller = publishingCaller(ctx);
    const { id, ...fields } = ctx.params;
    const code = await createPromoCode(catalog(), caller, id, fields);
    ctx.locals.logger.info({ promoCodeId: code.id, eventId: id, by: caller.id }, 'promo code created');
    return toPromoCodeView(code);
  });
}
