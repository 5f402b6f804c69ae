import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { PNG } from 'pngjs';
import jsQR from 'jsqr';
import { freePort } from './processes';

/** One message as the server accepted it: parsed, with its envelope recipient. */
export interface ReceivedMail {
  to: string;
  raw: Buffer;
  parsed: ParsedMail;
}

export interface MailCatcher {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Messages to `address`, in the order they arrived. */
  to(address: string): ReceivedMail[];
  /**
   * Holds the acceptance of the `nth` message to arrive from now on (1 = the next one) until
   * `release` is called, so that a test can act while a send is in flight: the sender has
   * transmitted the message and waits for the server's answer.
   */
  holdMessage(nth: number): Promise<HeldMessage>;
  /** Stops listening: connections are refused until `up`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export interface HeldMessage {
  /** Resolves once the sender's connection has closed. */
  senderGone(): Promise<void>;
  /** Goes on with the acceptance: counted and accepted, unless the sender is gone by then. */
  release(): void;
}

/**
 * A real SMTP server in the test process (smtp-server), for the notifications service to send
 * to: every message it accepts is parsed with mailparser. A message whose sender's connection
 * is gone before the acceptance is not counted: the sender never learnt it was accepted.
 */
export async function startMailCatcher(): Promise<MailCatcher> {
  const port = await freePort();
  const received: ReceivedMail[] = [];
  const closed = new Set<string>();
  const closeWaiters = new Map<string, () => void>();
  let server: SMTPServer | undefined;
  let hold: { remaining: number; held: (message: HeldMessage) => void } | undefined;

  const whenClosed = (sessionId: string) =>
    closed.has(sessionId) ? Promise.resolve() : new Promise<void>((resolve) => closeWaiters.set(sessionId, resolve));

  const listen = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onClose: (session) => {
        closed.add(session.id);
        closeWaiters.get(session.id)?.();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const accept = () => {
            if (closed.has(session.id)) return callback(new Error('sender gone'));
            const raw = Buffer.concat(chunks);
            simpleParser(raw, { skipImageLinks: true })
              .then((parsed) => {
                for (const to of session.envelope.rcptTo) received.push({ to: to.address, raw, parsed });
                callback();
              })
              .catch(callback);
          };
          if (hold && --hold.remaining === 0) {
            const { held } = hold;
            hold = undefined;
            held({ senderGone: () => whenClosed(session.id), release: accept });
          } else {
            accept();
          }
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
  };
  const stop = () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));

  await listen();
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    to: (address) => received.filter((m) => m.to === address),
    holdMessage: (nth) => new Promise((held) => (hold = { remaining: nth, held })),
    down: stop,
    up: listen,
    close: stop,
  };
}

/** The text every inline QR image of a message decodes to, in the order they are attached. */
export function decodeInlineQrCodes(mail: ParsedMail): string[] {
  return mail.attachments
    .filter((a) => a.contentType === 'image/png' && a.contentDisposition === 'inline')
    .map((a) => {
      const png = PNG.sync.read(a.content);
      const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
      if (!decoded) throw new Error(`inline image ${a.filename} holds no QR code`);
      return decoded.data;
    });
}

/** Pages of a PDF, as its page objects count them (`/Type /Page`, not `/Pages`). */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}

export async function waitForMail<T>(find: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
