import type { Knex } from 'knex';
import type { EventData } from '@ticketpro/shared';
import type { TicketingModels, Ticket } from '../models';
import type { Keyring } from '@ticketpro/shared';
import { newTicketCode } from '../codes/new-ticket-code';
import { recordOrderTicketsIssued, recordTicketEvent } from '../domain-events';
import { revokeCode } from '../transfers/revocations';

/** What ticketing reads of a paid order: what every version of the event carries. */
export type OrderFacts = EventData<'ordering.order.paid', 1>;

/**
 * Makes every ticket of a paid order valid: its reserved tickets, and one new ticket for each
 * unit not yet issued. The unique (order, ticket type, unit) key issues each unit once even when
 * two instances handle the order at once: the second insert waits for the first and skips.
 */
export async function issueTickets(
  trx: Knex.Transaction,
  models: TicketingModels,
  keyring: Keyring,
  order: OrderFacts,
): Promise<Ticket[]> {
  const confirmed = await models.Ticket.query(trx)
    .patch({ status: 'valid' })
    .where({ order_id: order.id, status: 'reserved' })
    .returning('*');
  const existing: { ticket_type_id: number; unit: number }[] = await trx('tickets')
    .where('order_id', order.id)
    .select('ticket_type_id', 'unit');
  const taken = new Set(existing.map((t) => `${t.ticket_type_id}:${t.unit}`));
  const missing = order.items.flatMap((item) =>
    Array.from({ length: item.quantity }, (_, i) => ({ ticket_type_id: item.ticket_type_id, unit: i + 1 })).filter(
      (u) => !taken.has(`${u.ticket_type_id}:${u.unit}`),
    ),
  );

  let inserted: Ticket[] = [];
  if (missing.length > 0) {
    // Ids first: the signed code carries the ticket's id.
    const ids: { id: number }[] = (
      await trx.raw("SELECT nextval(pg_get_serial_sequence('tickets', 'id'))::int AS id FROM generate_series(1, ?)", [
        missing.length,
      ])
    ).rows;
    const rows = missing.map((unit, i) => ({
      id: ids[i].id,
      order_id: order.id,
      ...unit,
      event_id: order.event_id,
      user_id: order.user_id,
      ...newTicketCode(keyring, ids[i].id, order.event_id),
      status: 'valid',
    }));
    const stored: object[] = await trx('tickets')
      .insert(rows)
      .onConflict(['order_id', 'ticket_type_id', 'unit'])
      .ignore()
      .returning('*');
    inserted = stored.map((row) => models.Ticket.fromDatabaseJson(row));
  }

  const issued = [...confirmed, ...inserted];
  for (const ticket of issued) await recordTicketEvent(trx, 'ticketing.ticket.issued', ticket);
  if (issued.length > 0) await recordOrderTicketsIssued(trx, models, order);
  return issued;
}

/** Voids an order's tickets in the given states. */
export async function voidOrderTickets(
  trx: Knex.Transaction,
  models: TicketingModels,
  orderId: number,
  states: Ticket['status'][],
): Promise<Ticket[]> {
  if (states.includes('valid')) {
    // Paid tickets voided (a refund): their codes are listed as revoked for offline scanners.
    const valid = await models.Ticket.query(trx).where({ order_id: orderId, status: 'valid' });
    for (const ticket of valid) await revokeCode(trx, ticket, 'refunded');
  }
  const voided = await models.Ticket.query(trx)
    .patch({ status: 'void' })
    .where('order_id', orderId)
    .whereIn('status', states)
    .returning('*');
  for (const ticket of voided) await recordTicketEvent(trx, 'ticketing.ticket.voided', ticket);
  return voided;
}
