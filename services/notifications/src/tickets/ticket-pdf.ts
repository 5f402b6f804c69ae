import { qrPng } from './qr-image';

/** One ticket as printed: everything a door needs, and its QR code. */
export interface PrintedTicket {
  id: number;
  orderId: number;
  eventName: string;
  date: string;
  location: string;
  typeName: string;
  seat: string;
  holder: string;
  qrCode: string;
}

const MARGIN = 56;
const QR_SIZE = 240;

/** A PDF with one A4 page per ticket. */
export async function ticketPdf(tickets: PrintedTicket[]): Promise<Buffer> {
  // pdfkit (~27 MB resident) is loaded by the first PDF asked for, not by every start.
  const [{ default: PDFDocument }, images] = await Promise.all([
    import('pdfkit'),
    Promise.all(tickets.map((t) => qrPng(t.qrCode))),
  ]);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    autoFirstPage: false,
    info: { Title: 'TicketPro tickets' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  tickets.forEach((ticket, i) => {
    doc.addPage();
    const width = doc.page.width - 2 * MARGIN;
    doc.rect(0, 0, doc.page.width, 80).fill('#1e3a8a');
    doc.fillColor('#ffffff').font('Helvetica-Bold').fontSize(22).text('TicketPro', MARGIN, 28);
    doc.fillColor('#18181b').font('Helvetica-Bold').fontSize(24).text(ticket.eventName, MARGIN, 120, { width });
    doc.moveDown(0.5).font('Helvetica').fontSize(14).text(ticket.date, { width }).text(ticket.location, { width });
    doc.moveDown(1);
    const rows: [string, string][] = [
      ['Ticket type', ticket.typeName],
      ['Seat', ticket.seat],
      ['Holder', ticket.holder],
      ['Ticket', `#${ticket.id} (order #${ticket.orderId})`],
    ];
    for (const [label, value] of rows) {
      doc.font('Helvetica-Bold').fontSize(12).text(`${label}: `, { continued: true }).font('Helvetica').text(value);
    }
    const qrTop = doc.y + 24;
    doc.image(images[i], MARGIN + (width - QR_SIZE) / 2, qrTop, { width: QR_SIZE, height: QR_SIZE });
    doc
      .fontSize(10)
      .fillColor('#71717a')
      .text('Show this code at the entrance. It admits one person once.', MARGIN, qrTop + QR_SIZE + 12, {
        width,
        align: 'center',
      });
  });
  doc.end();
  return done;
}
