import type { Knex } from 'knex';
import {
  ConflictError,
  NotFoundError,
  type AuthUser,
  type Event as EventView,
  type ParamsOf,
  type RequestContext,
} from '@ticketpro/shared';
import type { CatalogRuntime } from '../runtime';
import { assertOwnerOrAdmin } from '../auth/caller';
import { catalogEvents } from '../domain-events';
import { toEventFacts } from '../views/event-view';
import { lockEventForCapacityChange } from '../inventory/event-capacity';
import { findEvent, toEventViews } from './event-views';
import { assertFutureDate } from './future-date';
import { withUniqueName } from './unique-name';

type EventChanges = Omit<ParamsOf<'catalog.events.update'>, 'id'>;

/**
 * Changes an event of the caller's (any, for an admin), recording `catalog.event.updated`. A new
 * capacity is checked against the units sold and held with holds locked out until it commits.
 */
export async function updateEvent(
  catalog: CatalogRuntime,
  ctx: RequestContext<unknown>,
  caller: AuthUser,
  id: number,
  changes: EventChanges,
): Promise<EventView> {
  const { models, resources } = catalog;
  const current = await models.Event.query().findById(id);
  if (!current) throw new NotFoundError('Event not found');
  assertOwnerOrAdmin(caller, current.organizer_id);
  if (changes.date !== undefined) assertFutureDate(changes.date);

  const event = await resources.db.transaction(async (trx) => {
    if (typeof changes.capacity === 'number') await assertCapacityHoldsTaken(trx, id, changes.capacity);
    const patch = { ...changes, date: changes.date === undefined ? undefined : new Date(changes.date) };
    const changed = await withUniqueName(models.Event.query(trx).patch(patch).where('id', id));
    // Deleted since it was read.
    if (changed === 0) throw new NotFoundError('Event not found');
    const updated = await findEvent(models, id, trx);
    await catalogEvents.record(trx, 'catalog.event.updated', toEventFacts(updated));
    return updated;
  });
  const [view] = await toEventViews(ctx, models, [event]);
  return view;
}

/** A capacity never goes below what is sold and on live hold: those units are the buyers'. */
async function assertCapacityHoldsTaken(trx: Knex.Transaction, id: number, capacity: number): Promise<void> {
  const taken = await lockEventForCapacityChange(trx, id);
  if (capacity < taken) {
    throw new ConflictError(
      `The capacity cannot be ${capacity}: ${taken} seats of the event are sold or held; it must be at least that`,
      { capacity, taken },
    );
  }
}
