import type { Knex } from 'knex';
import { NotFoundError, pageOf, type AuthUser, type PageOf, type ParamsOf } from '@ticketpro/shared';
import type { CatalogRuntime } from '../runtime';
import { assertOwnerOrAdmin } from '../auth/caller';
import { liveTicketTypes } from '../ticket-types/find-ticket-type';
import { openEntries, type OpenEntryRow } from './waitlist-view';

/** The caller's open entry on the ticket type's waiting list, with its place; 404 when there is none. */
export async function findOwnEntry(db: Knex, ticketTypeId: number, userId: number): Promise<OpenEntryRow> {
  const entry: OpenEntryRow | undefined = await openEntries(db, ticketTypeId).where('user_id', userId).first();
  if (!entry) throw new NotFoundError(`You are not on the waiting list of ticket type ${ticketTypeId}`);
  return entry;
}

/** The caller's place on a live ticket type's waiting list. */
export async function waitlistPosition(catalog: CatalogRuntime, caller: AuthUser, id: number): Promise<OpenEntryRow> {
  const { models, resources } = catalog;
  if (!(await liveTicketTypes(models).findById(id))) throw new NotFoundError('Ticket type not found');
  return findOwnEntry(resources.db, id, caller.id);
}

/** A page of a ticket type's open entries in join order, for its event's organizer or an admin (403 for others). */
export async function listWaitlist(
  catalog: CatalogRuntime,
  caller: AuthUser,
  { id, skip, limit }: ParamsOf<'catalog.waitlist.list'>,
): Promise<PageOf<OpenEntryRow>> {
  const { models, resources } = catalog;
  const ticketType = await liveTicketTypes(models).findById(id);
  if (!ticketType) throw new NotFoundError('Ticket type not found');
  const event = await models.Event.query().findById(ticketType.event_id);
  if (!event) throw new NotFoundError('Ticket type not found');
  assertOwnerOrAdmin(caller, event.organizer_id);
  const [{ total }] = await openEntries(resources.db, id).count<{ total: string }[]>('* AS total');
  const items: OpenEntryRow[] = await openEntries(resources.db, id).select('*').orderBy('id').offset(skip).limit(limit);
  return pageOf(items, Number(total), { skip, limit });
}
