import type { Knex } from 'knex';
import {
  iso,
  isAdmin,
  ForbiddenError,
  type AuthUser,
  type Revocations,
  type RevocationsQuery,
} from '@ticketpro/shared';
import type { Ticket } from '../models';

type Reason = Revocations['revocations'][number]['reason'];

/** Lists the ticket's current code as revoked, in the caller's transaction. */
export async function revokeCode(trx: Knex.Transaction, ticket: Ticket, reason: Reason): Promise<void> {
  await trx('revoked_codes')
    .insert({ qr_code: ticket.qr_code, ticket_id: ticket.id, event_id: ticket.event_id, reason })
    .onConflict('qr_code')
    .ignore();
}

export async function isRevoked(db: Knex, qrCode: string): Promise<boolean> {
  return (await db('revoked_codes').where('qr_code', qrCode).first('qr_code')) !== undefined;
}

/**
 * The codes revoked since an instant, oldest first, for scanners that check offline: an admin's
 * of every event, an organizer's of the events they organize (per the event → organizer
 * projection), a plain user's none (403). `since` is inclusive, so asking again from
 * `next_since` may list the last codes twice but never skips one revoked at the same instant.
 */
export async function listRevocations(db: Knex, caller: AuthUser, query: RevocationsQuery): Promise<Revocations> {
  if (caller.role === 'user') throw new ForbiddenError('Only organizers and admins read the revoked codes');
  const rows: Array<Revocations['revocations'][number] & { revoked_at: Date }> = await db('revoked_codes as r')
    .modify((q) => {
      if (query.since !== undefined) q.where('r.revoked_at', '>=', query.since);
      if (query.event_id !== undefined) q.where('r.event_id', query.event_id);
      if (!isAdmin(caller)) {
        q.whereIn('r.event_id', db('event_organizers').select('event_id').where('organizer_id', caller.id));
      }
    })
    .orderBy([{ column: 'r.revoked_at' }, { column: 'r.qr_code' }])
    .limit(query.limit + 1)
    .select('r.qr_code', 'r.ticket_id', 'r.event_id', 'r.reason', 'r.revoked_at');
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    revocations: page.map((r) => ({ ...r, revoked_at: iso(r.revoked_at) })),
    next_since: last ? iso(last.revoked_at) : null,
    has_more: rows.length > query.limit,
  };
}
