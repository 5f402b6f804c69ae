import type { Static } from '@sinclair/typebox';
import type { AcceptedEnvelope } from './catalogue';
import type { OrderFacts } from '../schemas/ordering';

/** Ordering's events a service's projection of orders is fed from, in the versions it reads. */
export const ORDER_EVENTS = {
  'ordering.order.created': [1, 2],
  'ordering.order.paid': [1, 2],
  'ordering.order.cancelled': [1, 2],
  'ordering.order.expired': [1, 2],
  'ordering.order.refunded': [1, 2],
} as const;
export type OrderEvent = AcceptedEnvelope<typeof ORDER_EVENTS>;

/**
 * What every projection of orders keeps of one as its event tells it (buyer, event, state and
 * price), dated by the event (`as_of`) for `keepNewerFacts`; each service adds its own columns.
 */
export function orderFactsOf({ data, time }: { data: Static<typeof OrderFacts>; time: string }) {
  return {
    order_id: data.id,
    user_id: data.user_id,
    event_id: data.event_id,
    payment_status: data.payment_status,
    total_price: data.total_price,
    currency: data.currency,
    as_of: time,
  };
}
