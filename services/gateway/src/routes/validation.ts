import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  Id,
  QrCodeBody,
  RevocationsQuery,
  RevocationsSchema,
  TicketKeysSchema,
  ValidationResultSchema,
} from '@ticketpro/shared';
import { EXAMPLE_CHECKED_IN, EXAMPLE_QR_CODE, EXAMPLE_REVOCATIONS, EXAMPLE_VALIDATION } from './examples';
import { serviceRoute } from './service-route';

const TAGS = ['validation'];
const ValidationResult = Type.Ref(ValidationResultSchema);

const SCANS = [
  {
    url: '/validate',
    action: 'ticketing.validation.validate',
    summary: "Whether a scanned code would be admitted now, changing nothing (the event's organizer or an admin)",
    about:
      'For a door that checks before it lets in: `admitted` says whether a check-in now would succeed, and ' +
      '`reason` why not. The code is verified as check-in verifies it; nothing is recorded.',
    answered: 'The ticket as it stands, and whether it would be admitted',
    example: EXAMPLE_VALIDATION,
  },
  {
    url: '/checkin',
    action: 'ticketing.validation.checkin',
    summary:
      "Check a ticket in by its code (the event's organizer or an admin): admitted once; a second scan is 409 " +
      'with the first validated_at; a forged or unknown code 404; a reserved or void ticket 409',
    about:
      'Admits the ticket once: the scan is recorded with who scanned it and when. Scans of one ticket at the same ' +
      'instant admit it once; the others are answered 409. A code replaced by a transfer is answered 409 ' +
      '(`revoked: true`) from the instant the transfer is accepted.',
    answered: 'The ticket is admitted',
    example: EXAMPLE_CHECKED_IN,
  },
  {
    url: '/checkout',
    action: 'ticketing.validation.checkout',
    summary: "Check a checked-in ticket out by its code (the event's organizer or an admin)",
    about: "Records that the ticket's holder has left; only a checked-in ticket can be checked out.",
    answered: 'The ticket is checked out',
    example: { ...EXAMPLE_CHECKED_IN, admitted: false, checked_out: true },
  },
] as const;

/**
 * `/validation`: scanning at the door. Who may scan for which event is ticketing's decision;
 * the public keys are open to all, so scanners can verify codes offline.
 */
export const validationRoutes: FastifyPluginAsync = async (app) => {
  for (const scan of SCANS) {
    app.route(
      serviceRoute({
        method: 'POST',
        url: scan.url,
        summary: scan.summary,
        description: scan.about,
        tags: TAGS,
        auth: true,
        action: scan.action,
        status: 200,
        body: QrCodeBody,
        examples: { request: { qr_code: EXAMPLE_QR_CODE }, response: scan.example },
        response: { ...ValidationResult, description: scan.answered },
        problems: ['forbidden', 'not-found', 'conflict'],
      }),
    );
  }

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/status/:ticket_id',
      summary: "A ticket's check-in state (its owner, the event's organizer or an admin)",
      description:
        "Whether the ticket is checked in, when and by whom. Its owner may ask, as may the event's organizer or an admin; anyone else is answered 403.",
      tags: TAGS,
      auth: true,
      action: 'ticketing.validation.status',
      examples: { response: EXAMPLE_CHECKED_IN },
      status: 200,
      params: Type.Object({ ticket_id: Id }, { additionalProperties: false }),
      response: { ...ValidationResult, description: "The ticket's check-in state" },
      problems: ['forbidden', 'not-found'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/keys',
      summary: 'The Ed25519 public keys that sign ticket codes (a JWKS), for verifying codes offline',
      description: 'Public: a scanner fetches the keys ahead of time and then verifies codes without asking the API.',
      tags: TAGS,
      auth: false,
      action: 'ticketing.validation.keys',
      examples: {
        response: {
          keys: [
            { kid: 'k1', kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', use: 'sig' },
          ],
        },
      },
      status: 200,
      response: { ...Type.Ref(TicketKeysSchema), description: 'The public keys, by key id' },
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/revocations',
      summary: 'Codes that no longer admit (transferred or refunded tickets), for scanners that work offline',
      description:
        "An organizer gets those of the events they organize, an admin every event's; a plain user 403. Oldest " +
        'first; `since` is inclusive, so asking again from `next_since` may list the last codes twice and never ' +
        'skips one. A revoked code scanned online is answered 409.',
      tags: TAGS,
      auth: true,
      action: 'ticketing.validation.revocations',
      status: 200,
      querystring: RevocationsQuery,
      examples: { response: EXAMPLE_REVOCATIONS },
      response: { ...Type.Ref(RevocationsSchema), description: 'Revoked codes, oldest first' },
      problems: ['forbidden'],
    }),
  );
};
