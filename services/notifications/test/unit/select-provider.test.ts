import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { createLogger, loadConfig } from '@ticketpro/shared';
import { selectMailProvider } from '../../src/delivery/select-provider';
import { anOutgoingMail } from '../support/outgoing-mail';

const silent = createLogger('select-provider-test', 'silent');
const providerFor = (env: Record<string, string>) => selectMailProvider(loadConfig(env), silent);

describe('the mail provider the settings pick', () => {
  it('is SendGrid with a SendGrid key, SMTP with an SMTP URL, else .eml files; MAIL_PROVIDER overrides', () => {
    expect(providerFor({}).name).toBe('file');
    expect(providerFor({ SMTP_URL: 'smtp://user:pass@mail.example.test:587' }).name).toBe('smtp');
    expect(providerFor({ SENDGRID_API_KEY: 'SG.key' }).name).toBe('sendgrid');
    expect(providerFor({ SENDGRID_API_KEY: 'SG.key', SMTP_URL: 'smtp://mail.example.test' }).name).toBe('sendgrid');
    expect(providerFor({ MAIL_PROVIDER: 'smtp', SENDGRID_API_KEY: 'SG.key', SMTP_URL: 'smtp://m.test' }).name).toBe(
      'smtp',
    );
    expect(providerFor({ MAIL_PROVIDER: 'file', SMTP_URL: 'smtp://mail.example.test' }).name).toBe('file');
  });

  it('fails the start when the provider named lacks its setting', () => {
    expect(() => providerFor({ MAIL_PROVIDER: 'smtp' })).toThrow('MAIL_PROVIDER=smtp needs SMTP_URL');
    expect(() => providerFor({ MAIL_PROVIDER: 'sendgrid' })).toThrow('MAIL_PROVIDER=sendgrid needs SENDGRID_API_KEY');
  });
});

describe('the embedded default', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'notifications-mail-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes each message as an .eml file under DATA_DIR/mail, with a log line naming it', async () => {
    const lines: string[] = [];
    const logger = createLogger('select-provider-test', 'info', { write: (line: string) => lines.push(line) });
    const provider = selectMailProvider(loadConfig({ DATA_DIR: dataDir }), logger);
    const mail = anOutgoingMail({
      messageId: '<notification-7.1700000000000@ticketpro.test>',
      to: { name: 'Tendai Moyo', address: 'tendai@example.test' },
      subject: 'Your tickets for Mbira Night',
      text: 'Hello Tendai',
      attachments: [{ filename: 'tickets.pdf', content: Buffer.from('%PDF-1.3'), contentType: 'application/pdf' }],
    });
    try {
      const file = await provider.send(mail);
      expect(file).toBe(path.join(dataDir, 'mail', 'notification-7.1700000000000@ticketpro.test.eml'));
      expect(readdirSync(path.join(dataDir, 'mail'))).toEqual([path.basename(file)]);
      expect(lines.map((l) => JSON.parse(l).msg)).toContain(`mail written to ${file}`);

      const parsed = await simpleParser(readFileSync(file));
      expect(parsed.messageId).toBe(mail.messageId);
      expect(parsed.to).toMatchObject({ value: [{ address: 'tendai@example.test', name: 'Tendai Moyo' }] });
      expect(parsed.subject).toBe(mail.subject);
      expect(parsed.text?.trim()).toBe('Hello Tendai');
      expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([['tickets.pdf', 'application/pdf']]);

      // The same message written again (a retry after a crash) replaces its file.
      await provider.send(mail);
      expect(readdirSync(path.join(dataDir, 'mail'))).toHaveLength(1);
    } finally {
      await provider.close();
    }
  });

  it('rejects a message it cannot write, so that the dispatcher tries it again', async () => {
    const blocked = mkdtempSync(path.join(os.tmpdir(), 'notifications-mail-'));
    // Where the mail directory should be there is a file: no directory can be made there.
    writeFileSync(path.join(blocked, 'mail'), 'not a directory');
    const provider = selectMailProvider(loadConfig({ DATA_DIR: blocked }), createLogger('test', 'silent'));
    try {
      await expect(provider.send(anOutgoingMail())).rejects.toMatchObject({ code: 'ENOTDIR' });
    } finally {
      rmSync(blocked, { recursive: true, force: true });
    }
  });
});
