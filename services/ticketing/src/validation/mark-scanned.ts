import type { Knex } from 'knex';
import type { PartialModelObject } from 'objection';
import type { AuthUser, ConflictError, RequestContext } from '@ticketpro/shared';
import type { TicketingRuntime } from '../runtime';
import type { Ticket } from '../models';
import { recordTicketEvent, type TicketEventName } from '../domain-events';
import { revokedCodeRefusal, scannedTicket } from './scanned-ticket';

export interface DoorChange {
  /** What the scan changes… */
  patch(trx: Knex.Transaction): PartialModelObject<Ticket>;
  /** …on a ticket that still stands so: one conditional update, so concurrent scans change it once. */
  where: Partial<Ticket>;
  event: TicketEventName;
  /** Why the ticket as it now stands was not changed. */
  refusal(current: Ticket): ConflictError;
}

/** Applies a scan at the door to the ticket a code stands for, recording its event, or refuses it (409). */
export async function markScanned(
  runtime: TicketingRuntime,
  ctx: RequestContext<unknown>,
  caller: AuthUser,
  qrCode: string,
  change: DoorChange,
): Promise<Ticket> {
  const { models, resources } = runtime;
  const scanned = await scannedTicket(ctx, runtime, caller, qrCode);
  const marked = await resources.db.transaction(async (trx) => {
    const [ticket] = await models.Ticket.query(trx)
      .patch(change.patch(trx))
      // The code scanned must still be the ticket's: a transfer committed since replaced it.
      .where({ id: scanned.id, qr_code: scanned.qr_code, ...change.where })
      .returning('*');
    if (ticket) await recordTicketEvent(trx, change.event, ticket);
    return ticket;
  });
  if (!marked) {
    const current = (await models.Ticket.query().findById(scanned.id))!;
    throw current.qr_code === scanned.qr_code ? change.refusal(current) : revokedCodeRefusal(current);
  }
  return marked;
}
