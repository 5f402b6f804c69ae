import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface StripeRequest {
  method: string;
  path: string;
  idempotencyKey?: string;
  form: URLSearchParams;
}

/**
 * A small HTTP server that answers the two Stripe API calls ordering makes (create a
 * PaymentIntent, create a refund) the way Stripe does, and records every request, so the real
 * SDK can be tested without the network. A repeated idempotency key gets the first answer, as at Stripe.
 */
export class StripeStandIn {
  readonly requests: StripeRequest[] = [];
  private readonly answers = new Map<string, object>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private intents = 0;

  async start(): Promise<{ host: string; port: number; protocol: 'http' }> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return { host: '127.0.0.1', port: (this.server.address() as AddressInfo).port, protocol: 'http' };
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  requestsTo(path: string): StripeRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        idempotencyKey,
        form: new URLSearchParams(body),
      };
      this.requests.push(request);
      const answer = (idempotencyKey && this.answers.get(idempotencyKey)) || this.answer(request);
      if (!answer) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: 'Unrecognized request URL' } }));
        return;
      }
      if (idempotencyKey) this.answers.set(idempotencyKey, answer);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  }

  private answer({ method, path, form }: StripeRequest): object | undefined {
    if (method === 'POST' && path === '/v1/payment_intents') {
      const id = `pi_test_${++this.intents}`;
      return {
        id,
        object: 'payment_intent',
        amount: Number(form.get('amount')),
        currency: form.get('currency'),
        status: 'requires_payment_method',
        client_secret: `${id}_secret_standin`,
        metadata: { order_id: form.get('metadata[order_id]'), payment_id: form.get('metadata[payment_id]') },
      };
    }
    if (method === 'POST' && path === '/v1/refunds') {
      return {
        id: `re_test_${this.requests.length}`,
        object: 'refund',
        payment_intent: form.get('payment_intent'),
        status: 'succeeded',
      };
    }
    return undefined;
  }
}

// Only for its webhook helpers; it sends nothing.
const stripeHelpers = new Stripe('sk_test_helpers');

/** A Stripe event about one of our PaymentIntents, as Stripe would post it. */
export function paymentIntentEvent(
  type: 'payment_intent.succeeded' | 'payment_intent.payment_failed',
  intent: { id: string; amount: number; orderId: number; paymentId: number },
): string {
  return JSON.stringify({
    id: `evt_${type}_${intent.id}`,
    object: 'event',
    type,
    data: {
      object: {
        id: intent.id,
        object: 'payment_intent',
        status: type === 'payment_intent.succeeded' ? 'succeeded' : 'requires_payment_method',
        amount: intent.amount,
        metadata: { order_id: String(intent.orderId), payment_id: String(intent.paymentId) },
      },
    },
  });
}

/** The `Stripe-Signature` header Stripe would send with the payload, signed with `secret`. */
export const stripeSignature = (payload: string, secret: string) =>
  stripeHelpers.webhooks.generateTestHeaderString({ payload, secret });
