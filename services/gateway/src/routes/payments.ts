import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { BadRequestError } from '@ticketpro/shared';
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
};
