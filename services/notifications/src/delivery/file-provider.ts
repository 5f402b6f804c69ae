import { mkdir, writeFile } from 'node:fs/promises';
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
    // The directory is made when it is missing, not before every message (a syscall each).
    await writeFile(file, message).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      await mkdir(this.directory, { recursive: true });
      await writeFile(file, message);
    });
    this.logger.info({ file, to: mail.to.address, subject: mail.subject }, `mail written to ${file}`);
    return file;
  }

  async close(): Promise<void> {}
}
