import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@ticketpro/shared';
import type { MailProvider, OutgoingMail } from './provider';
import { mimeMessage } from './mime-message';

/**
 * The embedded default, which needs no mail server: each message is composed as SMTP would carry
 * it (nodemailer's MIME tree, written out into a buffer by `mimeMessage`: a transport would
 * only add its plugin and envelope steps and copy the stream again) and written as an `.eml` file under
 * `directory`, which any mail client opens; a log line names the file.
 */
export class FileMailProvider implements MailProvider {
  readonly name = 'file';

  constructor(
    private readonly directory: string,
    private readonly logger: Logger,
  ) {}

  async send(mail: OutgoingMail): Promise<string> {
    const message = mimeMessage(mail);
    // The Message-ID names the file: the same message written twice replaces itself.
    const file = path.join(this.directory, `${mail.messageId.replace(/[^A-Za-z0-9._@-]/g, '')}.eml`);
    // Written synchronously: a few kilobytes into the page cache take less than a tenth of a
    // millisecond, while the promise's open, write and close are three trips through libuv's
    // thread pool, each waking a thread and then this loop, for three to four times the CPU
    // (docs/PERFORMANCE.md, issue 14 eighth pass). The directory is made when it is missing, not
    // before every message (a syscall each).
    try {
      writeFileSync(file, message);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(this.directory, { recursive: true });
      writeFileSync(file, message);
    }
    this.logger.info({ file, to: mail.to.address, subject: mail.subject }, `mail written to ${file}`);
    return file;
  }

  async close(): Promise<void> {}
}
