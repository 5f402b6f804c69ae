import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { ReportingAccess } from '../runtime';
import { readEventAnalytics } from '../analytics/event-analytics';
import { scopeOf } from '../analytics/scope';

/** One event's figures and sales per day, for an admin or the event's organizer (others: 404). */
export function eventsGetAction(reporting: ReportingAccess) {
  return defineAction('reporting.events.get', async (ctx) => {
    const scope = scopeOf(authenticatedCaller(ctx), 'event analytics');
    return readEventAnalytics(reporting(), scope, ctx.params.id);
  });
}
