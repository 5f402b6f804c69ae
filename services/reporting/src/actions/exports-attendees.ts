import { authenticatedCaller, defineAction } from '@ticketpro/shared';
import type { ReportingAccess } from '../runtime';
import { exportAttendees } from '../exports/export-slices';

/** One slice of an event's attendees (its tickets and their holders) as CSV, for an admin or the event's organizer. */
export function exportAttendeesAction(reporting: ReportingAccess) {
  return defineAction('reporting.exports.attendees', async (ctx) =>
    exportAttendees(reporting(), authenticatedCaller(ctx), ctx.params),
  );
}
