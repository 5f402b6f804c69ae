import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { updatePromoCode } from '../promo-codes/manage-promo-codes';
import { toPromoCodeView } from '../views/promo-code-view';

export function updatePromoCodeAction(catalog: CatalogAccess) {
  return defineAction('catalog.promoCodes.update', async (ctx) => {
    const caller = publishingCaller(ctx);
    const { id, code_id, ...fields } = ctx.params;
    const code = await updatePromoCode(catalog(), caller, id, code_id, fields);
    ctx.locals.logger.info({ promoCodeId: code_id, by: caller.id, fields: Object.keys(fields) }, 'promo code updated');
    return toPromoCodeView(code);
  });
}
