import type { Knex } from 'knex';
import { keepNewerFacts, ORDER_EVENTS, orderFactsOf, type AcceptedEnvelope } from '@ticketpro/shared';
import { PAID_STATUSES } from '../models/constants';

/** Ordering's events the order projection is fed from, in the versions it reads: partial refunds too. */
export const REPORTED_ORDER_EVENTS = { ...ORDER_EVENTS, 'ordering.order.partially_refunded': [1] } as const;
export type ReportedOrderEvent = AcceptedEnvelope<typeof REPORTED_ORDER_EVENTS>;

/**
 * Keeps each order as its newest event told it (a row only takes facts newer than its own), and
 * the instants the figures are dated by, whichever order the events arrive in: created (the
 * `created` event's time), paid (the earliest event telling it paid), refunded in full (the
 * `refunded` event's time). A partial refund is kept once by its ledger id.
 */
export async function applyOrderEvent(trx: Knex.Transaction, envelope: ReportedOrderEvent): Promise<void> {
  const { data, time } = envelope;
  const withPayment = 'payment_method' in data ? data : undefined;
  const created = envelope.type === 'ticketpro.ordering.order.created';
  // The instant it was created goes with the facts, in the same statement, when they are written.
  const written = await keepNewerFacts(trx, 'orders', 'order_id', {
    ...orderFactsOf(envelope),
    units: data.items.reduce((sum, item) => sum + item.quantity, 0),
    ...(withPayment ? { payment_method: withPayment.payment_method } : {}),
    ...(created ? { created_at: time } : {}),
  });

  const order = trx('orders').where('order_id', data.id);
  switch (envelope.type) {
    case 'ticketpro.ordering.order.created':
      // A later event of the order was here first: its facts stay, and the instant is added.
      if (!written) await order.update({ created_at: time });
      break;
    case 'ticketpro.ordering.order.refunded':
      await order.update({ refunded_at: time });
      break;
    case 'ticketpro.ordering.order.partially_refunded': {
      const { refund_id, refund_amount, ticket_ids } = envelope.data;
      await trx('partial_refunds')
        .insert({
          refund_id,
          order_id: data.id,
          amount: refund_amount,
          tickets: ticket_ids.length,
          refunded_at: time,
        })
        .onConflict('refund_id')
        .ignore();
      break;
    }
  }
  if ((PAID_STATUSES as readonly string[]).includes(data.payment_status)) {
    await trx('orders')
      .where('order_id', data.id)
      .update({ paid_at: trx.raw('least(paid_at, ?::timestamptz)', [time]) });
  }
}
