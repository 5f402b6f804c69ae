import { defineAction, toDecimalText } from '@ticketpro/shared';
import type { CatalogAccess } from '../runtime';
import { publishingCaller } from '../auth/caller';
import { catalogEvents } from '../domain-events';
import { findTicketType } from '../ticket-types/find-ticket-type';
import { managedEvent } from '../ticket-types/managed-event';
import { assertRoomForTicketType } from '../ticket-types/ticket-type-cap';
import { withSalesWindow } from '../ticket-types/sales-window';
import { toDateOrNull } from '../timestamps';
import { toTicketTypeFacts, toTicketTypeView } from '../views/ticket-type-view';

export function createTicketTypeAction(catalog: CatalogAccess) {
  return defineAction('catalog.ticketTypes.create', async (ctx) => {
    const { models, resources, config } = catalog();
    const caller = publishingCaller(ctx);
    const fields = ctx.params;
    const ticketType = await resources.db.transaction(async (trx) => {
      await managedEvent(trx, models, caller, fields.event_id, { adding: true });
      await assertRoomForTicketType(trx, models, fields.event_id, config.MAX_TICKET_TYPES_PER_EVENT);
      const { id } = await withSalesWindow(
        models.TicketType.query(trx).insert({
          ...fields,
          price: toDecimalText(fields.price),
          currency: fields.currency ?? 'USD',
          sales_start: toDateOrNull(fields.sales_start),
          sales_end: toDateOrNull(fields.sales_end),
        }),
      );
      const created = await findTicketType(models, id, trx);
      await catalogEvents.record(trx, 'catalog.ticket_type.created', toTicketTypeFacts(created));
      return created;
    });
    ctx.locals.logger.info(
      { ticketTypeId: ticketType.id, eventId: ticketType.event_id, by: caller.id },
      'ticket type created',
    );
    return toTicketTypeView(ticketType);
  });
}
