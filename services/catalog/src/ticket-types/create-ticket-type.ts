import { toDecimalText, type AuthUser, type ParamsOf } from '@ticketpro/shared';
import type { CatalogRuntime } from '../runtime';
import type { TicketType } from '../models';
import { catalogEvents } from '../domain-events';
import { toDateOrNull } from '../timestamps';
import { toTicketTypeFacts } from '../views/ticket-type-view';
import { findTicketType } from './find-ticket-type';
import { managedEvent } from './managed-event';
import { withSalesWindow } from './sales-window';
import { assertRoomForTicketType } from './ticket-type-cap';

/** Adds a ticket type to an event the caller manages, recording `catalog.ticket_type.created`. */
export async function createTicketType(
  catalog: CatalogRuntime,
  caller: AuthUser,
  fields: ParamsOf<'catalog.ticketTypes.create'>,
): Promise<TicketType> {
  const { models, resources, config } = catalog;
  return resources.db.transaction(async (trx) => {
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
}
