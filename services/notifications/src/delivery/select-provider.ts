import path from 'node:path';
import type { Config, Logger } from '@ticketpro/shared';
import { LazyMailProvider } from './lazy-provider';
import type { MailProvider } from './provider';

/**
 * The provider `MAIL_PROVIDER` names; unset, SendGrid when its key is set, SMTP when its URL is,
 * else `.eml` files under `DATA_DIR/mail`. A provider named without its setting fails the start;
 * the provider's module is loaded at its first message.
 */
export function selectMailProvider(config: Config, logger: Logger): MailProvider {
  const chosen = config.MAIL_PROVIDER ?? (config.SENDGRID_API_KEY ? 'sendgrid' : config.SMTP_URL ? 'smtp' : 'file');
  switch (chosen) {
    case 'sendgrid': {
      const { SENDGRID_API_KEY: apiKey, SENDGRID_API_URL: apiUrl } = config;
      if (!apiKey) throw new Error('MAIL_PROVIDER=sendgrid needs SENDGRID_API_KEY');
      return new LazyMailProvider(chosen, async () => {
        const { SendGridMailProvider } = await import('./sendgrid-provider');
        return new SendGridMailProvider(apiKey, apiUrl);
      });
    }
    case 'smtp': {
      const url = config.SMTP_URL;
      if (!url) throw new Error('MAIL_PROVIDER=smtp needs SMTP_URL');
      return new LazyMailProvider(chosen, async () => {
        const { SmtpMailProvider } = await import('./smtp-provider');
        return new SmtpMailProvider(url);
      });
    }
    default:
      return new LazyMailProvider('file', async () => {
        const { FileMailProvider } = await import('./file-provider');
        return new FileMailProvider(path.resolve(config.DATA_DIR, 'mail'), logger);
      });
  }
}
