import { batchFeed, defineService, feed, reportingContract, USER_EVENTS } from '@ticketpro/shared';
import { migrations } from '../migrations';
import { applyUserEvent } from './projections/apply-user-event';
import { applyCatalogEvent, CATALOG_EVENTS } from './projections/apply-catalog-event';
import { applyOrderEvents, REPORTED_ORDER_EVENTS } from './projections/apply-order-events';
import { applyTicketEvent, TICKET_EVENTS } from './projections/apply-ticket-event';
import { dashboardAction } from './actions/dashboard-get';
import { salesAction } from './actions/sales-get';
import { eventsListAction } from './actions/events-list';
import { eventsGetAction } from './actions/events-get';
import { exportOrdersAction } from './actions/exports-orders';
import { exportAttendeesAction } from './actions/exports-attendees';
import { advanceClock } from './projections/clock';

export type { ReportingRuntime } from './runtime';

/**
 * Dashboards, analytics and exports, answered from a read model of its own: accounts, events,
 * ticket types, orders, refunds and tickets as the other services' events told them, each event
 * applied once (durable consumers, `handleOnce`). Eventually consistent: every answer says up to
 * when (`as_of`).
 */
export const createReportingService = defineService({
  contract: reportingContract,
  migrations,
  actions: (reporting) => ({
    'dashboard.get': dashboardAction(reporting),
    'sales.get': salesAction(reporting),
    'events.list': eventsListAction(reporting),
    'events.get': eventsGetAction(reporting),
    'exports.orders': exportOrdersAction(reporting),
    'exports.attendees': exportAttendeesAction(reporting),
  }),
  // Each feed's transaction moves the clock once, to its latest event, after applying them all.
  // Orders, a checkout's one event here, are applied a batch at a time, clock included.
  feeds: () => [
    feed('users', USER_EVENTS, (envelope, trx) => applyUserEvent(trx, envelope), advanceClock),
    feed('catalog', CATALOG_EVENTS, (envelope, trx) => applyCatalogEvent(trx, envelope), advanceClock),
    batchFeed('orders', REPORTED_ORDER_EVENTS, applyOrderEvents),
    feed('tickets', TICKET_EVENTS, (envelope, trx) => applyTicketEvent(trx, envelope), advanceClock),
  ],
});
