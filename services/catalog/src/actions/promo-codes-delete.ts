import { defineAction } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { deletePromoCode } from '../promo-codes/manage-promo-codes';

export function deletePromoCodeAction(catalog: CatalogAccess) {
  return defineAction('catalog.promoCodes.delete', async (ctx) => {
    const caller = publishingCaller(ctx);
    await deletePromoCode(catalog(), caller, ctx.params);
    ctx.locals.logger.info({ promoCodeId: ctx.params.code_id, by: caller.id }, 'promo code deleted');
    return { message: 'Promo code deleted' };
  });
}
