import { ConflictError, NotFoundError, defineAction, toDecimalText } from '@ticketpro/shared';
import type { PartialModelObject } from 'objection';
import type { CatalogAccess } from '../runtime';
import type { TicketType } from '../models';
import { publishingCaller } from '../auth/caller';
import { catalogEvents } from '../domain-events';
import { reclaimExpiredHolds } from '../inventory/reclaim-expired-holds';
import { findTicketType } from '../ticket-types/find-ticket-type';
import { managedEvent } from '../ticket-types/managed-event';
import { withSalesWindow } from '../ticket-types/sales-window';
import { toDateOrNull } from '../timestamps';
import { toTicketTypeFacts, toTicketTypeView } from '../views/ticket-type-view';

export function updateTicketTypeAction(catalog: CatalogAccess) {
  return defineAction('catalog.ticketTypes.update', async (ctx) => {
    const { models, resources } = catalog();
    const caller = publishingCaller(ctx);
    const { id, price, sales_start, sales_end, ...changes } = ctx.params;
    const current = await findTicketType(models, id);
    const patch: PartialModelObject<TicketType> = {
      ...changes,
      price: price === undefined ? undefined : toDecimalText(price),
      sales_start: toDateOrNull(sales_start),
      sales_end: toDateOrNull(sales_end),
    };

    const ticketType = await resources.db.transaction(async (trx) => {
      await managedEvent(trx, models, caller, current.event_id);
      const update = models.TicketType.query(trx).patch(patch).where('id', id);
      if (changes.quantity !== undefined) {
        // One conditional UPDATE: it only matches while the new quantity covers what is sold and held.
        await reclaimExpiredHolds(trx, id);
        update.whereRaw('sold_quantity + held_quantity <= ?', [changes.quantity]);
      }
      if ((await withSalesWindow(update)) === 0) {
        const latest = await models.TicketType.query(trx).findById(id);
        if (!latest) throw new NotFoundError('Ticket type not found');
        const committed = latest.sold_quantity + latest.held_quantity;
        throw new ConflictError(`Quantity cannot drop below the ${committed} units sold or held`, {
          ticket_type_id: id,
          minimum_quantity: committed,
        });
      }
      const updated = await findTicketType(models, id, trx);
      await catalogEvents.record(trx, 'catalog.ticket_type.updated', toTicketTypeFacts(updated));
      return updated;
    });
    ctx.locals.logger.info(
      { ticketTypeId: id, by: caller.id, fields: Object.keys(ctx.params).filter((f) => f !== 'id') },
      'ticket type updated',
    );
    return toTicketTypeView(ticketType);
  });
}
