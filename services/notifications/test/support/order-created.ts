import { outboxEntry } from '@ticketpro/shared';

/** An `ordering.order.created` of one unit at 45.00 USD, paid by EcoCash: a confirmation's cause. */
export const orderCreated = (id: number, userId: number, eventId: number) =>
  outboxEntry('ordering.order.created', {
    id,
    user_id: userId,
    event_id: eventId,
    total_price: '45.00' as never,
    currency: 'USD',
    payment_status: 'pending',
    payment_method: 'ecocash',
    expires_at: null,
    items: [{ ticket_type_id: 9, quantity: 1, unit_price: '45.00' as never }],
  });
