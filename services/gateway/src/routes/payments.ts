import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { BadRequestError, IdParams, PaymentTransactionSchema } from '@ticketpro/shared';
import { EXAMPLE_TRANSACTION } from './examples';
import { serviceRoute } from './service-route';

const SIGNATURE_HEADER = 'stripe-signature';

/** A missing signature is a malformed webhook (400), as Stripe's own endpoints answer it, not a schema failure. */
async function requireSignature(request: FastifyRequest): Promise<void> {
  if (!request.headers[SIGNATURE_HEADER]) throw new BadRequestError('The Stripe-Signature header is required');
}

/**
 * `/payments`: callbacks from payment providers, public and proven by their signatures.
 * Registered as a plugin of its own, so the raw-body parser below applies to these routes only.
 */
export const paymentRoutes: FastifyPluginAsync = async (app) => {
  // Stripe signs the exact bytes it sends, so the body reaches ordering as text, unparsed.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  // Paynow posts forms and hashes the values in the order sent: the fields keep that order.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.route({
    ...serviceRoute({
      method: 'POST',
      url: '/webhooks/stripe',
      summary: 'Stripe webhook: a signed event (payment_intent.succeeded completes its order); a bad signature is 400',
      description:
        'Called by Stripe, not by clients. The signature is checked against `STRIPE_WEBHOOK_SECRET` over the exact bytes received; an event seen before is answered 200 and changes nothing. 404 while Stripe is not the payment provider.',
      tags: ['payments'],
      auth: false,
      action: 'ordering.payments.stripeWebhook',
      examples: {
        request: JSON.stringify({
          id: 'evt_1',
          type: 'payment_intent.succeeded',
          data: { object: { id: 'pi_1', metadata: { order_id: '1001' } } },
        }),
        response: { received: true },
      },
      status: 200,
      body: {
        content: {
          'application/json': {
            schema: Type.String({
              description: 'A Stripe event as Stripe sent it: its signature covers these exact bytes',
            }),
          },
        },
      },
      headers: Type.Object({
        [SIGNATURE_HEADER]: Type.String({
          description: "Stripe's signature of the body, checked with the webhook secret",
          examples: ['t=1768900000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd'],
        }),
      }),
      response: {
        ...Type.Object({ received: Type.Literal(true) }),
        description: 'The event is taken (or was already)',
      },
      // 404 while Stripe is not the configured payment provider.
      problems: ['not-found'],
      // Both checked by now: the body is text (the parser above), the header a string (its schema).
      toParams: (request) => ({
        payload: request.body as string,
        signature: request.headers[SIGNATURE_HEADER] as string,
      }),
    }),
    preValidation: requireSignature,
  });

  app.route(
    serviceRoute({
      method: 'POST',
      url: '/webhooks/paynow',
      examples: {
        request: {
          reference: 'TP-501',
          paynowreference: '12345678',
          amount: '50.00',
          status: 'Paid',
          pollurl: 'https://www.paynow.co.zw/Interface/CheckPayment/?guid=3cb27f4b-b3ef-4d1f-9178-5e5e62a43995',
          hash: '2A1B3C4D5E6F',
        },
        response: { received: true },
      },
      summary: "Paynow's result callback: a status update whose hash is checked (forged: 400, nothing changes)",
      description:
        "Paynow posts the transaction's status (`reference`, `paynowreference`, `amount`, `status`, `pollurl`, " +
        "`hash`) to `PAYNOW_RESULT_URL`; `reference` is ours, `TP-` and the payment's id. `Paid` completes the " +
        'order (or, once its hold lapsed, records a refund owed); `Cancelled`/`Failed` fail the payment and ' +
        'release the units. An unknown reference is 404 and ' +
        "an amount other than the payment's is 400; both change nothing. A repeat changes nothing. 404 while " +
        'Paynow is not configured.',
      tags: ['payments'],
      auth: false,
      action: 'ordering.payments.paynowResult',
      status: 200,
      body: {
        content: {
          'application/x-www-form-urlencoded': {
            schema: Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 2000 }), {
              description: "Paynow's status update; its `hash` covers the other values in the order sent",
            }),
          },
        },
      },
      response: {
        ...Type.Object({ received: Type.Literal(true) }),
        description: 'The update is taken (or was already)',
      },
      problems: ['not-found'],
      toParams: (request) => ({ fields: request.body as Record<string, string> }),
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/transactions/:id',
      examples: { response: EXAMPLE_TRANSACTION },
      summary: "One row of the payment ledger (the buyer, the event's organizer or an admin)",
      description:
        'A payment attempt or a refund: provider and its reference, amount, currency, state, who recorded it ' +
        'and when; a refund names the payment it returns and, when partial, its tickets. Anyone else gets 404.',
      tags: ['payments'],
      auth: true,
      action: 'ordering.payments.get',
      status: 200,
      params: IdParams,
      response: { ...Type.Ref(PaymentTransactionSchema), description: 'The ledger row' },
      problems: ['not-found'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '/transactions/:id/settle',
      examples: {
        response: {
          ...EXAMPLE_TRANSACTION,
          kind: 'refund',
          state: 'refunded',
          refund_of: 500,
          settled_by: 7,
          settled_at: '2027-01-21T09:00:00.000Z',
        },
      },
      summary: "Mark an owed refund paid out (the event's organizer or an admin)",
      description:
        'Refunds of payments whose provider cannot send money back (cash, EcoCash/OneMoney through Paynow) are ' +
        'recorded `refund_owed`. Once the buyer has been paid by hand, this marks the refund `refunded` with ' +
        '`settled_by` and `settled_at`. Anything but an owed refund is 409, as is settling twice; the buyer gets ' +
        '403, anyone else 404.',
      tags: ['payments'],
      auth: true,
      action: 'ordering.payments.settle',
      status: 200,
      params: IdParams,
      response: { ...Type.Ref(PaymentTransactionSchema), description: 'The refund, settled' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );
};
