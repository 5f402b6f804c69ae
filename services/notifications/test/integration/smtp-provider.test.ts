import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@ticketpro/shared';
import { startMailCatcher, type MailCatcher } from '@ticketpro/tests/support/mail';
import { FileMailProvider } from '../../src/delivery/file-provider';
import { SmtpMailProvider } from '../../src/delivery/smtp-provider';
import { anOutgoingMail } from '../support/outgoing-mail';

/**
 * A message as it is on the wire or on disk, but for what each composition draws anew (the Date
 * header, the second it was composed; the multipart boundaries, random: named by order) and for
 * its line breaks, which SMTP carries as CRLF (nodemailer's transport turns a bare LF of a text
 * part into one).
 */
function composedAlike(message: Buffer): string {
  const text = message.toString().replace(/\r?\n/g, '\r\n');
  const boundaries = [...text.matchAll(/boundary="([^"]+)"/g)].map((match) => match[1]);
  return boundaries
    .reduce((named, boundary, i) => named.replaceAll(boundary, `boundary-${i + 1}`), text)
    .replace(/^Date: .*$/m, 'Date: (composed)');
}

/** A ticket delivery's shape: names beyond ASCII, an inline image the HTML shows, a PDF attached. */
const ticketDelivery = anOutgoingMail({
  to: { name: 'Zoë Mütze', address: 'zoe@example.test' },
  subject: 'Your tickets for Mbira Night — Zürich',
  html: '<p>Hello Zoë,</p><img src="cid:qr-1@ticketpro.test">',
  text: 'Hello Zoë,\nyour tickets are attached.',
  attachments: [
    {
      filename: 'ticket-1-qr.png',
      content: Buffer.from(Array.from({ length: 3_000 }, (_, i) => (i * 31 + 7) % 256)),
      contentType: 'image/png',
      cid: 'qr-1@ticketpro.test',
    },
    {
      filename: 'tickets-order-41.pdf',
      content: Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 13 + 7) % 256)),
      contentType: 'application/pdf',
    },
  ],
});

describe('mail through an SMTP server', () => {
  let catcher: MailCatcher;
  let directory: string;

  beforeAll(async () => {
    catcher = await startMailCatcher();
    directory = await mkdtemp(path.join(tmpdir(), 'smtp-provider-'));
  });
  afterAll(async () => {
    await catcher.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('reaches its recipient as the message the file provider writes', async () => {
    const smtp = new SmtpMailProvider(catcher.url);
    try {
      expect(await smtp.send(ticketDelivery)).toBe(ticketDelivery.messageId);
    } finally {
      await smtp.close();
    }
    const written = await readFile(
      await new FileMailProvider(directory, createLogger('test', 'silent')).send(ticketDelivery),
    );

    expect(catcher.received.map((received) => received.to)).toEqual(['zoe@example.test']);
    const [received] = catcher.received;
    expect(composedAlike(received.raw)).toBe(composedAlike(written));
    expect(received.parsed).toMatchObject({
      messageId: ticketDelivery.messageId,
      subject: ticketDelivery.subject,
      text: ticketDelivery.text,
      to: { value: [{ name: 'Zoë Mütze', address: 'zoe@example.test' }] },
    });
  });
});
