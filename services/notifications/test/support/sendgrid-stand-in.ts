import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SendGridRequest {
  path: string;
  authorization?: string;
  body: {
    personalizations: { to: { email: string; name?: string }[] }[];
    from: { email: string; name?: string };
    subject: string;
    content: { type: string; value: string }[];
    attachments?: { filename: string; content: string; type: string; disposition: string; content_id?: string }[];
    headers?: Record<string, string>;
  };
}

/**
 * A small HTTP server that answers SendGrid's v3 `POST /v3/mail/send` the way SendGrid does
 * (202, an `x-message-id`) and records every request, so that the real @sendgrid/mail client can
 * be tested without the network. `failNext(n)` answers the next n requests 503.
 */
export class SendGridStandIn {
  readonly requests: SendGridRequest[] = [];
  private failures = 0;
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  failNext(count: number): void {
    this.failures = count;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (this.failures > 0) {
        this.failures--;
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: 'Service unavailable' }] }));
        return;
      }
      if (req.method !== 'POST' || req.url !== '/v3/mail/send') {
        res.writeHead(404).end();
        return;
      }
      this.requests.push({ path: req.url, authorization: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(202, { 'x-message-id': `sg-${this.requests.length}` });
      res.end();
    });
  }
}
