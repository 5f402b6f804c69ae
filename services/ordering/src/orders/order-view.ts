import { decimalNumber, iso, type Order as OrderView } from '@ticketpro/shared';
import type { Order, Payment } from '../models';

/**
 * An order as the API shows it: money as the JSON number of its exact decimal text, and the
 * status a client should see (a lapsed pending order is expired). `payment` is there while a
 * provider waits for the client to act (Stripe) or for the buyer to confirm (Paynow).
 */
export function toOrderView(order: Order, waitingPayment?: Payment, redirectUrl?: string): OrderView {
  const view: OrderView = {
    id: order.id,
    user_id: order.user_id,
    event_id: order.event_id,
    order_date: iso(order.order_date),
    total_price: decimalNumber(order.total_price),
    discount: decimalNumber(order.discount),
    promo_code: order.promo_code,
    currency: order.currency,
    payment_method: order.payment_method,
    payment_status: order.status,
    expires_at: order.expires_at === null ? null : iso(order.expires_at),
    items: (order.items ?? [])
      .map((i) => ({
        ticket_type_id: i.ticket_type_id,
        quantity: i.quantity,
        unit_price: decimalNumber(i.unit_price),
        discount: decimalNumber(i.discount),
      }))
      .sort((a, b) => a.ticket_type_id - b.ticket_type_id),
    created_at: iso(order.created_at),
    updated_at: iso(order.updated_at),
  };
  if (waitingPayment && order.status === 'pending') {
    view.payment = {
      id: waitingPayment.id,
      provider: waitingPayment.provider,
      status:
        waitingPayment.state === 'awaiting'
          ? 'awaiting_confirmation'
          : (waitingPayment.provider_status ?? waitingPayment.state),
      ...(waitingPayment.client_secret ? { client_secret: waitingPayment.client_secret } : {}),
      ...(waitingPayment.instructions ? { instructions: waitingPayment.instructions } : {}),
      ...(redirectUrl ? { redirect_url: redirectUrl } : {}),
    };
  }
  return view;
}
