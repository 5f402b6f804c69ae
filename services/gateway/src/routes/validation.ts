import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Id, QrCodeBody, TicketKeysSchema, ValidationResultSchema } from '@ticketpro/shared';
import { serviceRoute } from './service-route';

const TAGS = ['validation'];
const ValidationResult = Type.Ref(ValidationResultSchema);

const SCANS = [
  {
    url: '/validate',
    action: 'ticketing.validation.validate',
    summary: "Whether a scanned code would be admitted now, changing nothing (the event's organizer or an admin)",
    description: 'The ticket as it stands, and whether it would be admitted',
  },
  {
    url: '/checkin',
    action: 'ticketing.validation.checkin',
    summary:
      "Check a ticket in by its code (the event's organizer or an admin): admitted once; a second scan is 409 " +
      'with the first validated_at; a forged or unknown code 404; a reserved or void ticket 409',
    description: 'The ticket is admitted',
  },
  {
    url: '/checkout',
    action: 'ticketing.validation.checkout',
    summary: "Check a checked-in ticket out by its code (the event's organizer or an admin)",
    description: 'The ticket is checked out',
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
        tags: TAGS,
        auth: true,
        action: scan.action,
        status: 200,
        body: QrCodeBody,
        response: { ...ValidationResult, description: scan.description },
        problems: ['forbidden', 'not-found', 'conflict'],
      }),
    );
  }

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/status/:ticket_id',
      summary: "A ticket's check-in state (its owner, the event's organizer or an admin)",
      tags: TAGS,
      auth: true,
      action: 'ticketing.validation.status',
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
      tags: TAGS,
      auth: false,
      action: 'ticketing.validation.keys',
      status: 200,
      response: { ...Type.Ref(TicketKeysSchema), description: 'The public keys, by key id' },
    }),
  );
};
