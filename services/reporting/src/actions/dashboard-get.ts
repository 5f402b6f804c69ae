import { authenticatedCaller, defineAction, ForbiddenError, isAdmin } from '@ticketpro/shared';
import type { ReportingAccess } from '../runtime';
import { readDashboard } from '../analytics/dashboard';

/** The admin dashboard over the last `days` days (admins only: it covers every organizer's events). */
export function dashboardAction(reporting: ReportingAccess) {
  return defineAction('reporting.dashboard.get', async (ctx) => {
    if (!isAdmin(authenticatedCaller(ctx))) throw new ForbiddenError('Only an admin may see the dashboard');
    return readDashboard(reporting(), ctx.params.days);
  });
}
