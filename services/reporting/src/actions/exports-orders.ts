import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { ReportingAccess } from '../runtime';
import { exportOrders } from '../exports/export-slices';

/** One slice of an event's orders as CSV, for an admin or the event's organizer. */
export function exportOrdersAction(reporting: ReportingAccess) {
  return defineAction('reporting.exports.orders', async (ctx) =>
    exportOrders(reporting(), authenticatedCaller(ctx), ctx.params),
  );
}
