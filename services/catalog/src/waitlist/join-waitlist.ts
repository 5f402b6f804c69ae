import type { Knex } from 'knex';
import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  isAdmin,
  isUniqueViolation,
  type AuthUser,
  type JoinWaitlistParams,
} from '@ticketpro/shared';
import type { CatalogRuntime } from '../runtime';
import { WAITLIST_OPEN_ENTRY_UNIQUE_INDEX } from '../models/constants';
import { findOwnEntry } from './read-waitlist';
import { EVENT_TAKEN_UNITS } from '../inventory/event-capacity';
import { reclaimAndOffer } from './offer-freed-units';
import type { OpenEntryRow } from './waitlist-view';

interface JoinedType {
  name: string;
  max_per_order: number | null;
  sales_over: boolean;
  free: number;
}

/**
 * Puts the caller at the end of a sold-out ticket type's waiting list for `quantity` units.
 * Only a sold-out type has a list (409 while units are free: buy them instead; a type whose
 * event's capacity is reached counts as sold out), one open entry
 * per user and type (a repeat is 409, naming the place held), and no more units than one order
 * of the type may take (422). Units lapsed holds and offers give back are offered to those
 * already waiting first, under the ticket type's row lock; the caller joins only if none is
 * left, so an entry never waits while units of its type are free.
 */
export async function joinWaitlist(
  catalog: CatalogRuntime,
  caller: AuthUser,
  { id, quantity }: JoinWaitlistParams,
): Promise<OpenEntryRow> {
  const { resources, config } = catalog;
  return resources.db.transaction(async (trx) => {
    await reclaimAndOffer(trx, id, config.WAITLIST_OFFER_SECONDS);
    const { rows } = await trx.raw<{ rows: JoinedType[] }>(
      `SELECT tt.name, tt.max_per_order, coalesce(tt.sales_end, e.date) <= now() AS sales_over,
              least(tt.quantity - tt.sold_quantity - tt.held_quantity,
                    coalesce(e.capacity - ${EVENT_TAKEN_UNITS}, tt.quantity)) AS free
         FROM ticket_types tt JOIN events e ON e.id = tt.event_id
        WHERE tt.id = :id AND tt.deleted_at IS NULL AND e.deleted_at IS NULL
        FOR NO KEY UPDATE OF tt`,
      { id },
    );
    const type = rows[0];
    if (!type) throw new NotFoundError('Ticket type not found');
    if (type.max_per_order !== null && quantity > type.max_per_order) {
      throw new UnprocessableError(`At most ${type.max_per_order} of "${type.name}" per order`, [
        { field: 'quantity', message: `must be at most ${type.max_per_order}` },
      ]);
    }
    const unitsPerEvent = config.MAX_PENDING_UNITS_PER_EVENT;
    if (unitsPerEvent > 0 && quantity > unitsPerEvent && !isAdmin(caller)) {
      throw new UnprocessableError(`One account may hold at most ${unitsPerEvent} unpaid units of an event`, [
        { field: 'quantity', message: `must be at most ${unitsPerEvent}` },
      ]);
    }
    if (type.sales_over) throw new ConflictError(`Sales of "${type.name}" have ended`, { ticket_type_id: id });
    if (type.free > 0) {
      throw new ConflictError(`"${type.name}" is not sold out: ${type.free} left, order them instead`, {
        ticket_type_id: id,
        available: type.free,
      });
    }
    const existing = await trx('waitlist_entries')
      .where({ ticket_type_id: id, user_id: caller.id })
      .whereIn('state', ['waiting', 'offered'])
      .first('id');
    if (existing) throw await alreadyOnList(trx, id, caller.id);
    try {
      await trx('waitlist_entries').insert({ ticket_type_id: id, user_id: caller.id, quantity });
    } catch (err) {
      if (isUniqueViolation(err, WAITLIST_OPEN_ENTRY_UNIQUE_INDEX)) throw await alreadyOnList(trx, id, caller.id);
      throw err;
    }
    return findOwnEntry(trx, id, caller.id);
  });
}

/** The 409 of a second entry, naming the place the first one holds. */
async function alreadyOnList(db: Knex, id: number, userId: number): Promise<ConflictError> {
  const entry = await findOwnEntry(db, id, userId).catch(() => undefined);
  return new ConflictError('You are already on the waiting list of this ticket type; leave it to change the quantity', {
    ticket_type_id: id,
    ...(entry ? { position: entry.position, state: entry.state } : {}),
  });
}
