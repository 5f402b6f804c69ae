import { NotFoundError, call, type AuthUser, type RequestContext } from '@ticketpro/shared';
import type { CatalogRuntime } from '../runtime';
import { assertOwnerOrAdmin } from '../auth/caller';
import { catalogEvents } from '../domain-events';
import { retireTicketType } from '../ticket-types/retire-ticket-type';

/**
 * Deletes an event with its ticket types, refused (409) while any of its units are sold: paid
 * orders must be refunded first. Pending orders do not block it: their units go with the event
 * (catalog sells nothing of a deleted event any more), and ordering cancels the orders, releasing
 * their holds, before this answers. Should ordering not be reached, it cancels them anyway once
 * it reads `catalog.event.deleted`. Resolves to the number of orders ordering cancelled, if it
 * answered.
 */
export async function deleteEvent(
  catalog: CatalogRuntime,
  ctx: RequestContext<unknown>,
  caller: AuthUser,
  id: number,
): Promise<number | undefined> {
  const { models, resources } = catalog;
  const event = await models.Event.query().findById(id);
  if (!event) throw new NotFoundError('Event not found');
  assertOwnerOrAdmin(caller, event.organizer_id);

  await resources.db.transaction(async (trx) => {
    // Deleting the event row first waits for ticket types being added to it, and then sees them.
    const deleted = await models.Event.query(trx).where('id', id).softDelete();
    if (deleted === 0) throw new NotFoundError('Event not found');
    const ticketTypes = await models.TicketType.query(trx).where('event_id', id).orderBy('id').select('id');
    for (const ticketType of ticketTypes) {
      if (await retireTicketType(trx, models, ticketType.id, { withHolds: true })) {
        await catalogEvents.record(trx, 'catalog.ticket_type.deleted', { id: ticketType.id, event_id: id });
      }
    }
    await catalogEvents.record(trx, 'catalog.event.deleted', { id, organizer_id: event.organizer_id });
  });
  return call(ctx, 'ordering.orders.cancelForEvent', { event_id: id }).then(
    (answer) => answer.cancelled,
    (err) => {
      const why = 'ordering did not cancel the pending orders now; it will from the event';
      ctx.locals.logger.warn({ err, eventId: id }, why);
      return undefined;
    },
  );
}
