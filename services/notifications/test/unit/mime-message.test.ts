import MailComposer from 'nodemailer/lib/mail-composer';
import type { SendMailOptions } from 'nodemailer';
import { simpleParser } from 'mailparser';
import { mimeMessage, writeMimeTree } from '../../src/delivery/mime-message';
import { toNodemailerMessage } from '../../src/delivery/nodemailer-message';
import type { OutgoingMail } from '../../src/delivery/provider';
import { MessageTemplates } from '../../src/messages/templates';
import { anOutgoingMail } from '../support/outgoing-mail';

/** Bytes that are not all alike, so that an encoder that lost or moved some would show. */
const bytes = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (i * seed + 7) % 256));

/** A confirmation from the real templates, for a buyer and an event with names beyond ASCII. */
function confirmation(): OutgoingMail {
  const view = {
    subject: 'Order #41 for Mbira Night — Zürich: your tickets are held',
    timeZone: 'Africa/Harare',
    recipient: { firstname: 'Zoë' },
    event: {
      name: 'Mbira Night — Zürich ✓',
      date: 'Friday, 31 December 2027 at 20:00 CAT',
      location: 'Harare Gardens',
    },
    order: {
      id: 41,
      total: 'USD 90.00',
      paymentMethod: 'ecocash',
      expiresAt: 'Friday, 31 December 2027 at 18:15 CAT',
      items: [{ quantity: 2, typeName: 'Général <admission> & more', unitPrice: 'USD 45.00' }],
    },
    tickets: [],
  };
  const { html, text } = new MessageTemplates().render('order_confirmation', view);
  return anOutgoingMail({ to: { name: 'Zoë Mütze', address: 'zoe@example.test' }, subject: view.subject, html, text });
}

/** What the message is written as, next to what nodemailer's own build() makes of the same tree. */
async function bothWays(mail: OutgoingMail): Promise<[Buffer, Buffer]> {
  const root = new MailComposer(toNodemailerMessage(mail)).compile();
  return [writeMimeTree(root), await root.build()];
}

describe('a message written out in one pass', () => {
  it.each<[string, OutgoingMail]>([
    ['a confirmation: quoted-printable HTML and text, encoded headers', confirmation()],
    [
      'a ticket delivery: inline QR images and a PDF larger than the encoders take at a time',
      anOutgoingMail({
        attachments: [
          {
            filename: 'ticket-1-qr.png',
            content: bytes(3_000, 31),
            contentType: 'image/png',
            cid: 'qr-1@ticketpro.test',
          },
          {
            filename: 'ticket-2-qr.png',
            content: bytes(3_100, 17),
            contentType: 'image/png',
            cid: 'qr-2@ticketpro.test',
          },
          { filename: 'tickets-order-41.pdf', content: bytes(200_000, 13), contentType: 'application/pdf' },
        ],
      }),
    ],
    ['plain 7-bit text and HTML in short lines', anOutgoingMail({ text: 'Hello\nsee you', html: '<p>hi</p>' })],
    [
      'text whose last line ends in spaces, with no line break after it',
      anOutgoingMail({ text: `${'word '.repeat(40)}\r\nlast line   `, html: '' }),
    ],
  ])('is byte for byte what nodemailer builds: %s', async (_case, mail) => {
    const [written, built] = await bothWays(mail);
    expect(written.toString()).toBe(built.toString());
  });

  it('reads back as the message it was given', async () => {
    const mail = confirmation();
    const parsed = await simpleParser(mimeMessage(mail));
    expect(parsed.messageId).toBe(mail.messageId);
    expect(parsed.subject).toBe(mail.subject);
    expect(parsed.to).toMatchObject({ value: [{ address: 'zoe@example.test', name: 'Zoë Mütze' }] });
    expect(parsed.text).toBe(mail.text);
    expect(parsed.html).toBe(mail.html);
    expect(parsed.text).toContain('Hello Zoë,');
    expect(parsed.html).toContain('Général &lt;admission&gt; &amp; more');
  });
});

/** The message nodemailer writes for these options, with its date and boundaries fixed. */
const written = (options: SendMailOptions) =>
  writeMimeTree(
    new MailComposer({ ...options, date: new Date('2027-01-01T00:00:00Z'), baseBoundary: 'fixed' }).compile(),
  ).toString();

describe('what nodemailer is given', () => {
  it.each([
    'TicketPro <tickets@ticketpro.test>',
    'Billetterie Zoë — Zürich <billets@ticketpro.test>',
    '"Tickets, Refunds & More" <tickets@ticketpro.test>',
    'Билеты <tickets@ticketpro.test>',
    'tickets@ticketpro.test',
    'TicketPro <tickets@ticketpro.test>, Box office <box@ticketpro.test>',
  ])('writes the sender %s as nodemailer writes it from the text', (from) => {
    const mail = anOutgoingMail({ from, to: { name: 'Алексей Петров', address: 'alexei@example.test' } });
    const options = toNodemailerMessage(mail);
    expect(written(options)).toBe(written({ ...options, from }));
    // Twice: the second message takes the sender parsed for the first.
    expect(written(toNodemailerMessage(mail))).toBe(written({ ...options, from }));
  });

  it('gives each message boundaries of its own', async () => {
    const mail = confirmation();
    const [first, second] = [mimeMessage(mail).toString(), mimeMessage(mail).toString()];
    const boundary = (message: string) => /boundary="?([^";\r\n]+)/.exec(message)?.[1];
    expect(boundary(first)).toBeDefined();
    expect(boundary(first)).not.toBe(boundary(second));
    expect(first).toContain(`--${boundary(first)}--`);
    expect((await simpleParser(second)).text).toBe(mail.text);
  });
});
