import path from 'node:path';
import type { Config, Logger } from '@ticketpro/shared';
import { FileMailProvider } from './file-provider';
import type { MailProvider } from './provider';
import { SendGridMailProvider } from './sendgrid-provider';
import { SmtpMailProvider } from './smtp-provider';

/**
 * The provider `MAIL_PROVIDER` names; unset, SendGrid when its key is set, SMTP when its URL is,
 * else `.eml` files under `DATA_DIR/mail`. A provider named without its setting fails the start.
 */
export function selectMailProvider(config: Config, logger: Logger): MailProvider {
  const chosen = config.MAIL_PROVIDER ?? (config.SENDGRID_API_KEY ? 'sendgrid' : config.SMTP_URL ? 'smtp' : 'file');
  switch (chosen) {
    case 'sendgrid':
      if (!config.SENDGRID_API_KEY) throw new Error('MAIL_PROVIDER=sendgrid needs SENDGRID_API_KEY');
      return new SendGridMailProvider(config.SENDGRID_API_KEY, config.SENDGRID_API_URL);
    case 'smtp':
      if (!config.SMTP_URL) throw new Error('MAIL_PROVIDER=smtp needs SMTP_URL');
      return new SmtpMailProvider(config.SMTP_URL);
    default:
      return new FileMailProvider(path.resolve(config.DATA_DIR, 'mail'), logger);
  }
}
