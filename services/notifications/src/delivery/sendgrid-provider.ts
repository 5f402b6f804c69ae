import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import type { AttachmentJSON } from '@sendgrid/helpers/classes/attachment';
import type { MailAttachment, MailProvider, OutgoingMail } from './provider';

/**
 * Mail through SendGrid's v3 API (`SENDGRID_API_KEY`), with @sendgrid/mail. `apiUrl` replaces
 * SendGrid's address, for a stand-in in tests (as Stripe's is replaced). Our Message-ID goes as
 * a header; SendGrid answers its own id (`x-message-id`), which is kept as the provider's id.
 */
export class SendGridMailProvider implements MailProvider {
  readonly name = 'sendgrid';
  private readonly service = new MailService();

  constructor(apiKey: string, apiUrl?: string) {
    const client = new Client();
    client.setApiKey(apiKey);
    if (apiUrl) client.setDefaultRequest('baseUrl', apiUrl);
    this.service.setClient(client);
  }

  async send(mail: OutgoingMail): Promise<string> {
    const [response] = await this.service.send({
      from: mail.from,
      to: { name: mail.to.name, email: mail.to.address },
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: { 'Message-ID': mail.messageId },
      attachments: mail.attachments.map(toSendGridAttachment),
    });
    const id = response.headers['x-message-id'];
    return typeof id === 'string' ? id : mail.messageId;
  }

  async close(): Promise<void> {}
}

/**
 * As the API takes it, `content_id` spelt so: @sendgrid/mail (8.1) passes attachments through
 * as given, so its own `contentId` would reach SendGrid unconverted and the inline images break.
 */
function toSendGridAttachment(a: MailAttachment): AttachmentJSON {
  return {
    filename: a.filename,
    content: a.content.toString('base64'),
    type: a.contentType,
    disposition: a.cid ? 'inline' : 'attachment',
    ...(a.cid ? { content_id: a.cid } : {}),
  };
}
