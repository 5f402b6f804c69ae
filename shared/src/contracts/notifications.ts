import { Page } from '../pagination';
import { IdParams } from '../schemas/common';
import { ListNotificationsQuery, NotificationSchema, TicketPdf } from '../schemas/notifications';
import { defineContract, read, write } from './define';

/** Messages to people about their orders, tickets and events, fed by the other services' events. */
export const notificationsContract = defineContract({
  service: 'notifications',
  actions: {
    'notifications.list': read(ListNotificationsQuery, Page(NotificationSchema)),
    // The order's ticket delivery sent again, as a new message (not idempotent: each call is one more).
    'orders.resend': write(IdParams, NotificationSchema),
    'tickets.pdf': read(IdParams, TicketPdf),
  },
  events: {},
});
