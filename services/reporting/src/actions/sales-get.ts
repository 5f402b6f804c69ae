import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { ReportingAccess } from '../runtime';
import { readSales } from '../analytics/sales';
import { scopeOf } from '../analytics/scope';

/** Sales of the last `days` days: an admin's of every event, an organizer's of their own. */
export function salesAction(reporting: ReportingAccess) {
  return defineAction('reporting.sales.get', async (ctx) => {
    const scope = scopeOf(authenticatedCaller(ctx), 'sales analytics');
    return readSales(reporting(), scope, ctx.params.days);
  });
}
