import type { OutgoingMail } from '../../src/delivery/provider';

/** A message ready to send, as the composer makes one, with whatever a test changes. */
export const anOutgoingMail = (changes: Partial<OutgoingMail> = {}): OutgoingMail => ({
  messageId: '<1@ticketpro.test>',
  from: 'TicketPro <tickets@ticketpro.test>',
  to: { name: 'Ada', address: 'ada@example.test' },
  subject: 'Your tickets',
  html: '<p>hi</p>',
  text: 'hi',
  attachments: [],
  ...changes,
});
