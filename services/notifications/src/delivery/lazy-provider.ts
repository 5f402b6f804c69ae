import type { MailProvider, OutgoingMail } from './provider';

/**
 * A provider whose module (and the mail library under it: nodemailer, @sendgrid/mail, each
 * 25–30 MB resident and up to half a second to load on a busy machine) is loaded at its first
 * message, not at the start: most processes never send through the others, and embedded mode's
 * `/health` waits for every module loaded at start.
 */
export class LazyMailProvider implements MailProvider {
  private provider: Promise<MailProvider> | undefined;

  constructor(
    readonly name: string,
    private readonly load: () => Promise<MailProvider>,
  ) {}

  async send(mail: OutgoingMail): Promise<string> {
    this.provider ??= this.load();
    return (await this.provider).send(mail);
  }

  async close(): Promise<void> {
    if (this.provider) await (await this.provider).close();
  }
}
