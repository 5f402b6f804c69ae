import { defineAction } from '@ticketpro/shared';
import type { NotificationsAccess } from '../runtime';
import { printTicket } from '../tickets/print-ticket';

/** One ticket as a PDF page, for those ticketing lets see it (tickets/print-ticket.ts). */
export function ticketPdfAction(notifications: NotificationsAccess) {
  return defineAction('notifications.tickets.pdf', async (ctx) => {
    const pdf = await printTicket(ctx, notifications(), ctx.params.id);
    return { content_type: 'application/pdf' as const, body: pdf.toString('base64') };
  });
}
