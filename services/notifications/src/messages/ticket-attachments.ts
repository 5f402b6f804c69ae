import type { MailAttachment } from '../delivery/provider';
import { qrPng } from '../tickets/qr-image';
import { ticketPdf, type PrintedTicket } from '../tickets/ticket-pdf';

/** The Content-ID a ticket's inline QR image is shown by in the HTML. */
export const qrContentId = (ticketId: number, domain: string) => `qr-ticket-${ticketId}@${domain}`;

/** Each ticket's QR code as an inline PNG, and a PDF of them all (none for no ticket). */
export async function ticketAttachments(
  printed: PrintedTicket[],
  domain: string,
  pdfName: string,
): Promise<MailAttachment[]> {
  const attachments: MailAttachment[] = [];
  for (const ticket of printed) {
    attachments.push({
      filename: `ticket-${ticket.id}-qr.png`,
      content: await qrPng(ticket.qrCode),
      contentType: 'image/png',
      cid: qrContentId(ticket.id, domain),
    });
  }
  if (printed.length > 0) {
    attachments.push({ filename: pdfName, content: await ticketPdf(printed), contentType: 'application/pdf' });
  }
  return attachments;
}
