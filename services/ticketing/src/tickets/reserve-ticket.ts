import { call, type CreateTicketBody, type RequestContext } from '@ticketpro/shared';
import type { Ticket } from '../models';
import type { TicketingRuntime } from '../runtime';
import { newTicketCode } from '../codes/new-ticket-code';

/**
 * `POST /tickets`: one more unit of a pending order, as a `reserved` ticket. The ticket id is
 * taken first and names the unit in ordering (`ticket:<id>`), so a retried call to ordering adds
 * nothing twice. The call carries the caller in the request's context: ordering decides who may
 * add to the order (its owner, an admin) and catalog whether a unit is left. Paying the order
 * makes the ticket valid. Should the insert fail after ordering added the unit, the order still
 * pays for it and issuing makes its ticket then.
 */
export async function reserveTicket(
  { models, resources, keyring }: TicketingRuntime,
  ctx: RequestContext<unknown>,
  body: CreateTicketBody,
): Promise<Ticket> {
  const { rows } = await resources.db.raw<{ rows: { id: number }[] }>(
    "SELECT nextval(pg_get_serial_sequence('tickets', 'id'))::int AS id",
  );
  const id = rows[0].id;
  const { order, unit } = await call(ctx, 'ordering.orders.addUnit', {
    id: body.order_id,
    ticket_type_id: body.ticket_type_id,
    ref: `ticket:${id}`,
  });
  return models.Ticket.query().insertAndFetch({
    id,
    order_id: order.id,
    ticket_type_id: body.ticket_type_id,
    unit,
    event_id: order.event_id,
    user_id: order.user_id,
    seat_number: body.seat_number ?? null,
    ...newTicketCode(keyring, id, order.event_id),
    status: 'reserved',
  });
}
