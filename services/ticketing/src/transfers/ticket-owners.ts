import { iso, type AuthUser, type RequestContext, type TicketOwners } from '@ticketpro/shared';
import type { TicketingRuntime } from '../runtime';
import { reachableTicket } from '../tickets/ticket-access';

interface OwnerChange {
  from_user_id: number;
  to_user_id: number;
  transfer_id: number;
  changed_at: Date;
  by_admin: boolean;
}

/**
 * Who held the ticket, first buyer to current owner: for the current owner, the event's
 * organizer and admins (anyone else 404). The first owner holds it from its issue.
 */
export async function ticketOwners(
  ctx: RequestContext<unknown>,
  runtime: TicketingRuntime,
  caller: AuthUser,
  ticketId: number,
): Promise<TicketOwners> {
  const { ticket } = await reachableTicket(ctx, runtime, caller, ticketId, ['owner', 'organizer', 'admin']);
  const changes: OwnerChange[] = await runtime.resources
    .db('ticket_owner_changes as c')
    .join('ticket_transfers as t', 't.id', 'c.transfer_id')
    .where('c.ticket_id', ticketId)
    .orderBy('c.id')
    .select('c.from_user_id', 'c.to_user_id', 'c.transfer_id', 'c.changed_at', 't.by_admin');
  const owners: TicketOwners['owners'] = [
    {
      user_id: changes[0]?.from_user_id ?? ticket.user_id,
      since: iso(ticket.created_at),
      until: null,
      via: 'purchase',
      transfer_id: null,
    },
  ];
  for (const change of changes) {
    owners[owners.length - 1].until = iso(change.changed_at);
    owners.push({
      user_id: change.to_user_id,
      since: iso(change.changed_at),
      until: null,
      via: change.by_admin ? 'admin_transfer' : 'transfer',
      transfer_id: change.transfer_id,
    });
  }
  return { ticket_id: ticketId, owners };
}
