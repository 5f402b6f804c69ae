import type { Knex } from 'knex';
import {
  call,
  ConflictError,
  decimalText,
  NotFoundError,
  type AuthUser,
  type DecimalText,
  type ServiceCaller,
} from '@ticketpro/shared';
import type { Order } from '../models';
import type { OrderingRuntime } from '../runtime';
import { restockSomeUnits, restockUnits } from './catalog-inventory';
import { readOrder } from './find-order';
import { assertOrganizerOrAdmin } from './order-access';
import { moveOrder, recordPartialRefund } from './order-states';
import { returnMoney } from '../payments/return-money';

/**
 * Ticketing's step of a refund: voids the order's tickets (or the named ones), or refuses (409,
 * with its reason) when any of them was used. Idempotent on the order id and tickets.
 */
const voidTicketsForRefund = (via: ServiceCaller, orderId: number, ticketIds?: number[]) =>
  call(via, 'ticketing.tickets.voidForRefund', { order_id: orderId, ...(ticketIds ? { ticket_ids: ticketIds } : {}) });

/**
 * Refunds a completed (or partially refunded) order, all of what is left of it or only the
 * tickets named. Ticketing voids the tickets first, and refuses (409) if any to refund was used,
 * since a used ticket is never refunded; then the money goes back through the provider that took
 * it (or is recorded owed, for one without a refund API), catalog puts exactly those units back
 * on sale, and the order becomes `refunded` (`ordering.order.refunded`) once every unit is
 * refunded, `partially_refunded` (`ordering.order.partially_refunded`) before. Each ticket is
 * refunded once: a ticket refunded before is refused (409). All under the order's row lock, so
 * two refunds of one order never run at once; each step is idempotent, so a refund cut short by
 * a crash (tickets void, money not yet back) is finished by asking for it again.
 */
export async function refundOrder(
  runtime: OrderingRuntime,
  call: ServiceCaller,
  caller: AuthUser,
  id: number,
  ticketIds?: number[],
): Promise<Order> {
  const { models, resources, payments } = runtime;
  const found = await readOrder(models, id);
  if (!found) throw new NotFoundError('Order not found');
  await assertOrganizerOrAdmin(call, caller, found, 'refund an order');

  return resources.db.transaction(async (trx) => {
    const order = (await readOrder(models, id, { trx, lock: true }))!;
    if (order.status !== 'completed' && order.status !== 'partially_refunded') {
      throw new ConflictError(`The order is ${order.status}; only a completed order can be refunded`, { order_id: id });
    }
    // A discount was rounded per line, so no single ticket has an exact share of it to give back.
    if (ticketIds && order.promo_code !== null) {
      throw new ConflictError('The order used a promo code: it is refunded whole, not ticket by ticket', {
        order_id: id,
      });
    }
    if (ticketIds) await refuseRefundedTwice(trx, id, ticketIds);
    const voided = await voidTicketsForRefund(call, id, ticketIds);
    const payment = await models.Payment.query(trx).where({ order_id: id, kind: 'payment', state: 'captured' }).first();
    const tickets = voided.tickets ?? [];
    const amount = ticketIds ? await priceOf(trx, id, tickets) : await leftToRefund(trx, order);
    const refund = await returnMoney(
      models,
      payments,
      {
        orderId: id,
        payment,
        amount,
        currency: order.currency,
        refundKey: ticketIds
          ? `refund-order-${id}-tickets-${[...ticketIds].sort((a, b) => a - b).join('-')}`
          : `refund-order-${id}-rest`,
        ticketIds,
        recordedBy: caller.id,
      },
      trx,
    );
    if (ticketIds) {
      await restockSomeUnits(
        call,
        id,
        tickets.map((t) => ({ ref: `refund-ticket-${t.id}`, ticket_type_id: t.ticket_type_id })),
      );
      await trx('refunded_tickets').insert(
        tickets.map((t) => ({ ticket_id: t.id, order_id: id, ticket_type_id: t.ticket_type_id, refund_id: refund.id })),
      );
    } else {
      await restockUnits(call, id);
    }
    if (ticketIds && (await unitsLeft(trx, order)) > 0) {
      return recordPartialRefund(
        trx,
        models,
        order,
        refund,
        tickets.map((t) => t.id),
      );
    }
    if (payment) await models.Payment.query(trx).findById(payment.id).patch({ state: 'refunded' });
    return moveOrder(trx, models, order, 'refunded');
  });
}

/** 409 naming the tickets of the request already refunded: each ticket's money goes back once. */
async function refuseRefundedTwice(trx: Knex.Transaction, orderId: number, ticketIds: number[]): Promise<void> {
  const again: number[] = await trx('refunded_tickets').whereIn('ticket_id', ticketIds).pluck('ticket_id');
  if (again.length > 0) {
    throw new ConflictError(`${again.length} of these tickets are already refunded`, {
      order_id: orderId,
      refunded_ticket_ids: again.sort((a, b) => a - b),
    });
  }
}

/** The tickets' prices, each at what the order paid for its type, summed exactly by Postgres. */
async function priceOf(
  trx: Knex.Transaction,
  orderId: number,
  tickets: { ticket_type_id: number }[],
): Promise<DecimalText> {
  const { rows } = await trx.raw(
    `SELECT coalesce(sum(i.unit_price), 0)::numeric(12,2)::text AS amount
       FROM unnest(?::int[]) AS t(ticket_type_id)
       JOIN order_items i ON i.order_id = ? AND i.ticket_type_id = t.ticket_type_id`,
    [tickets.map((t) => t.ticket_type_id), orderId],
  );
  return decimalText(rows[0].amount);
}

/** The order's total less what its partial refunds returned. */
async function leftToRefund(trx: Knex.Transaction, order: Order): Promise<DecimalText> {
  const { rows } = await trx.raw(
    `SELECT (?::numeric - coalesce(sum(amount), 0))::numeric(12,2)::text AS amount
       FROM payments WHERE order_id = ? AND kind = 'refund' AND ticket_ids IS NOT NULL`,
    [order.total_price, order.id],
  );
  return decimalText(rows[0].amount);
}

/** Units of the order not refunded yet. */
async function unitsLeft(trx: Knex.Transaction, order: Order): Promise<number> {
  const bought = (order.items ?? []).reduce((sum, i) => sum + i.quantity, 0);
  const { count } = await trx('refunded_tickets').where('order_id', order.id).first(trx.raw('count(*)::int AS count'));
  return bought - count;
}
