import nodemailer, { type Transporter } from 'nodemailer';
import type { MailProvider, OutgoingMail } from './provider';
import { mimeMessage } from './mime-message';

/** Connections kept open to the server between messages. */
const POOLED_CONNECTIONS = 2;
/** How long a connection, greeting or command may take before the attempt fails (and is retried). */
const SMTP_TIMEOUT_MS = 15_000;

/**
 * Mail through an SMTP server (`SMTP_URL`, e.g. `smtp://user:pass@host:587`), with nodemailer.
 * The message is sent as `mimeMessage` writes it, as the file provider does: nodemailer's
 * transport would otherwise compose the same bytes again through its streams, at about twice the
 * CPU (docs/PERFORMANCE.md, issue 14, "mail composition").
 */
export class SmtpMailProvider implements MailProvider {
  readonly name = 'smtp';
  private readonly transport: Transporter;

  constructor(url: string) {
    const parsed = new URL(url);
    this.transport = nodemailer.createTransport({
      host: parsed.hostname,
      port: Number(parsed.port || (parsed.protocol === 'smtps:' ? 465 : 587)),
      secure: parsed.protocol === 'smtps:',
      ...(parsed.username
        ? { auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } }
        : {}),
      pool: true,
      maxConnections: POOLED_CONNECTIONS,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    });
  }

  async send(mail: OutgoingMail): Promise<string> {
    const info = await this.transport.sendMail({
      // nodemailer reads nothing from a raw message: the envelope and the Message-ID it reports are given here.
      envelope: { from: mail.from, to: mail.to.address },
      messageId: mail.messageId,
      raw: mimeMessage(mail),
    });
    const rejected = info.rejected ?? [];
    if (rejected.length > 0) throw new Error(`the server refused ${rejected.join(', ')}: ${info.response}`);
    return info.messageId;
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
