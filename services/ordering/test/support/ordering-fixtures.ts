import {
  call,
  type AuthUser,
  type CreateOrderBody,
  type Event,
  type Order,
  type PageOf,
  type ParamsOf,
  type PaymentTransaction,
  type TicketType,
  type CreateTicketTypeBody,
} from '@ticketpro/shared';
import { eventually, uniqueName, as } from '@ticketpro/shared/testing';
import type { OrderingNode } from './ordering-node';

export const admin: AuthUser = { id: 1, role: 'admin' };
export const organizer: AuthUser = { id: 101, role: 'organizer' };
export const otherOrganizer: AuthUser = { id: 102, role: 'organizer' };
export const buyer: AuthUser = { id: 301, role: 'user' };
export const otherBuyer: AuthUser = { id: 302, role: 'user' };

export { as };

export async function createEvent(node: OrderingNode): Promise<Event> {
  return call(
    node.broker,
    'catalog.events.create',
    {
      event_name: uniqueName('Harare Jazz Night'),
      description: 'An evening of jazz under the stars.',
      location: 'Harare Gardens, Harare',
      date: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
    },
    as(organizer),
  );
}

export async function createTicketType(
  node: OrderingNode,
  eventId: number,
  overrides: Partial<CreateTicketTypeBody> = {},
): Promise<TicketType> {
  return call(
    node.broker,
    'catalog.ticketTypes.create',
    {
      event_id: eventId,
      name: 'General admission',
      description: 'Standing room near the stage.',
      price: 19.99,
      quantity: 100,
      ...overrides,
    },
    as(organizer),
  );
}

export type OrderParams = CreateOrderBody & { idempotency_key?: string };

export function orderBody(eventId: number, ticketTypeId: number, quantity = 1): CreateOrderBody {
  return { event_id: eventId, payment_method: 'credit_card', items: [{ ticket_type_id: ticketTypeId, quantity }] };
}

export function placeOrder(node: OrderingNode, caller: AuthUser | undefined, params: OrderParams): Promise<Order> {
  return call(node.broker, 'ordering.orders.create', params, as(caller));
}

export function getOrder(node: OrderingNode, caller: AuthUser | undefined, id: number): Promise<Order> {
  return call(node.broker, 'ordering.orders.get', { id }, as(caller));
}

/**
 * Lists orders with the query as sent over HTTP: any of it may be left out, or be out of range
 * on purpose (the action's validator fills in `skip` and `limit`, or refuses), so only the action's
 * name is checked here.
 */
export function listOrders(
  node: OrderingNode,
  caller: AuthUser | undefined,
  query: object = {},
): Promise<PageOf<Order>> {
  return call(node.broker, 'ordering.orders.list', query as ParamsOf<'ordering.orders.list'>, as(caller));
}

export function payOrder(
  node: OrderingNode,
  caller: AuthUser | undefined,
  id: number,
  extra: { fail?: boolean; idempotency_key?: string } = {},
): Promise<Order> {
  return call(node.broker, 'ordering.orders.pay', { id, ...extra }, as(caller));
}

/** Refunds the whole order, or the tickets `ticketIds` of it. */
export function refundOrder(
  node: OrderingNode,
  caller: AuthUser | undefined,
  id: number,
  ticketIds?: number[],
): Promise<Order> {
  return call(
    node.broker,
    'ordering.orders.refund',
    { id, ...(ticketIds ? { ticket_ids: ticketIds } : {}) },
    as(caller),
  );
}

/** The order's payment transactions: payments and refunds, owed or settled. */
export function paymentLedger(
  node: OrderingNode,
  caller: AuthUser | undefined,
  id: number,
): Promise<PaymentTransaction[]> {
  return call(node.broker, 'ordering.orders.payments', { id }, as(caller));
}

/** The order's hold lapses in both services, as if its time had passed. */
export async function lapseHold(node: OrderingNode, orderId: number): Promise<void> {
  await node
    .orderingDb('orders')
    .where('id', orderId)
    .update({ expires_at: node.orderingDb.raw("now() - interval '1 second'") });
  await node
    .catalogDb('holds')
    .where('order_id', orderId)
    .update({ expires_at: node.catalogDb.raw("now() - interval '1 second'") });
}

/** A ticket type's counters as catalog answers them. */
export async function inventory(node: OrderingNode, ticketTypeId: number) {
  const t = await call(node.broker, 'catalog.ticketTypes.get', { id: ticketTypeId });
  return { available: t.available_quantity, sold: t.sold_quantity };
}

/** The order events waiting in (or relayed from) ordering's outbox for one order, oldest first. */
export async function orderEvents(node: OrderingNode, orderId: number): Promise<string[]> {
  const rows: { name: string }[] = await node
    .orderingDb('outbox')
    .whereRaw("(envelope->'data'->>'id')::int = ?", [orderId])
    .orderBy('seq')
    .select('name');
  return rows.map((r) => r.name);
}

/** A paid order's tickets once ticketing has issued them, in id order. */
export async function issuedTickets(
  node: OrderingNode,
  orderId: number,
  count: number,
): Promise<{ id: number; qr_code: string; status: string }[]> {
  return eventually(async () => {
    const tickets = await node
      .ticketingDb('tickets')
      .where('order_id', orderId)
      .orderBy('id')
      .select('id', 'qr_code', 'status');
    return tickets.length === count && tickets;
  });
}

/** The statuses of an order's tickets, in id order. */
export const statusesOf = async (node: OrderingNode, orderId: number) =>
  (await node.ticketingDb('tickets').where('order_id', orderId).orderBy('id').select('status')).map((t) => t.status);

export const checkIn = (node: OrderingNode, qrCode: string) =>
  call(node.broker, 'ticketing.validation.checkin', { qr_code: qrCode }, as(organizer));
