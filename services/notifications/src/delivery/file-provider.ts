import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from '@ticketpro/shared';
import type { MailProvider, OutgoingMail } from './provider';
import { toNodemailerMessage } from './nodemailer-message';

/**
 * The embedded default, which needs no mail server: each message is composed as SMTP would carry
 * it (nodemailer's stream transport) and written as an `.eml` file under `directory`, which any
 * mail client opens; a log line names the file.
 */
export class FileMailProvider implements MailProvider {
  readonly name = 'file';
  private readonly composer = nodemailer.createTransport({ streamTransport: true, buffer: true });

  constructor(
    private readonly directory: string,
    private readonly logger: Logger,
  ) {}

  async send(mail: OutgoingMail): Promise<string> {
    const info = await this.composer.sendMail(toNodemailerMessage(mail));
    // The Message-ID names the file: the same message written twice replaces itself.
    const file = path.join(this.directory, `${mail.messageId.replace(/[^A-Za-z0-9._@-]/g, '')}.eml`);
    // The directory is made when it is missing, not before every message (a syscall each).
    await writeFile(file, info.message as Buffer).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      await mkdir(this.directory, { recursive: true });
      await writeFile(file, info.message as Buffer);
    });
    this.logger.info({ file, to: mail.to.address, subject: mail.subject }, `mail written to ${file}`);
    return file;
  }

  async close(): Promise<void> {
    this.composer.close();
  }
}
