import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { ReportingAccess } from '../runtime';
import { listEventAnalytics } from '../analytics/event-analytics';
import { scopeOf } from '../analytics/scope';

/** The events' figures: an admin's every event, an organizer's their own. */
export function eventsListAction(reporting: ReportingAccess) {
  return defineAction('reporting.events.list', async (ctx) => {
    const scope = scopeOf(authenticatedCaller(ctx), 'event analytics');
    return listEventAnalytics(reporting(), scope, ctx.params);
  });
}
