import type { Knex } from 'knex';
import { isAdmin, NotFoundError, type AuthUser, type RequestContext } from '@ticketpro/shared';
import type { Ticket } from '../models';
import type { TicketingRuntime } from '../runtime';
import { organizerOf } from '../organizers/event-organizer';

/** How the caller stands to a ticket; admins count as admins even on their own tickets. */
export type Standing = 'admin' | 'organizer' | 'owner' | 'stranger';

export async function standingOf(
  ctx: RequestContext<unknown>,
  db: Knex,
  caller: AuthUser,
  ticket: Ticket,
): Promise<Standing> {
  if (isAdmin(caller)) return 'admin';
  if (caller.role !== 'user' && (await organizerOf(ctx, db, ticket.event_id)) === caller.id) return 'organizer';
  return ticket.user_id === caller.id ? 'owner' : 'stranger';
}

/**
 * The ticket and the caller's standing, if that standing is one of `allowed`; anyone else gets
 * 404, as for a missing ticket, so ids cannot be probed.
 */
export async function reachableTicket(
  ctx: RequestContext<unknown>,
  { models, resources }: TicketingRuntime,
  caller: AuthUser,
  id: number,
  allowed: Standing[],
): Promise<{ ticket: Ticket; standing: Standing }> {
  const ticket = await models.Ticket.query().findById(id);
  if (ticket) {
    const standing = await standingOf(ctx, resources.db, caller, ticket);
    if (allowed.includes(standing)) return { ticket, standing };
  }
  throw new NotFoundError('Ticket not found');
}
