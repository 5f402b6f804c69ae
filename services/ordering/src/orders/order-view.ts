import { decimalNumber, iso, type AuthUser, type Order as OrderView } from '@ticketpro/shared';
import type { Order, Payment } from '../models';

/** A payment waiting on the client or the buyer, and who is looking at it. */
export interface WaitingPayment {
  payment: Payment;
  viewer: AuthUser;
}

/**
 * An order as the API shows it: money as the JSON number of its exact decimal text, and the
 * status a client should see (a lapsed pending order is expired). `payment` is there while a
 * provider waits for the client to act (Stripe) or for the buyer to confirm (Paynow); what pays
 * it (the client secret, the checkout's redirect URL) only for the buyer, not for an admin.
 */
export function toOrderView(order: Order, waiting?: WaitingPayment): OrderView {
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
  if (waiting && order.status === 'pending') {
    const { payment } = waiting;
    const forBuyer = waiting.viewer.id === order.user_id;
    view.payment = {
      id: payment.id,
      provider: payment.provider,
      status: payment.state === 'awaiting' ? 'awaiting_confirmation' : (payment.provider_status ?? payment.state),
      ...(forBuyer && payment.client_secret ? { client_secret: payment.client_secret } : {}),
      ...(payment.instructions ? { instructions: payment.instructions } : {}),
      ...(forBuyer && payment.redirect_url ? { redirect_url: payment.redirect_url } : {}),
    };
  }
  return view;
}
