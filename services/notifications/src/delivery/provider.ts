/** A file that goes with a message: inline (shown in the HTML where `cid:` names it) or attached. */
export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
  /** Set for an inline image: the Content-ID the HTML refers to. */
  cid?: string;
}

/** One message, ready to send. */
export interface OutgoingMail {
  /** Our Message-ID, `<…@…>`: the same on every attempt at this message. */
  messageId: string;
  from: string;
  to: { name: string; address: string };
  subject: string;
  html: string;
  text: string;
  attachments: MailAttachment[];
}

/**
 * Where mail goes out: a file per message (embedded default), an SMTP server, or SendGrid.
 * `send` resolves with the provider's id of the accepted message and throws when it was not
 * accepted (the dispatcher then tries again later).
 */
export interface MailProvider {
  readonly name: string;
  send(mail: OutgoingMail): Promise<string>;
  close(): Promise<void>;
}
