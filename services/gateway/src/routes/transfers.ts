import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  AdminTransferBody,
  IdParams,
  NoParams,
  TicketOwnersSchema,
  TransferBody,
  TransferSchema,
} from '@ticketpro/shared';
import { EXAMPLE_ACCEPTED_TRANSFER, EXAMPLE_TICKET, EXAMPLE_TICKET_OWNERS, EXAMPLE_TRANSFER } from './examples';
import { serviceRoute } from './service-route';

const TAGS = ['tickets'];
const Transfer = Type.Ref(TransferSchema);

/**
 * `/tickets/…/transfer…`: an owner offers a valid ticket to an email, the holder of that email
 * accepts it, and the ticket gets a new code (the old one is refused at the door from then on).
 * Who may do what, and every state rule, are ticketing's decisions.
 */
export const transferRoutes: FastifyPluginAsync = async (app) => {
  app.route(
    serviceRoute({
      method: 'POST',
      url: '/:id/transfer',
      summary: 'Offer one of your valid tickets to an email; the holder of that email accepts it once signed in',
      description:
        'The answer is the same whether or not the email has an account: nobody is looked up. The offer lapses ' +
        "after `TRANSFER_OFFER_HOURS` (default 72), or when the event's transfers close (its " +
        '`transfer_cutoff_hours` before it starts) if sooner. A reserved (unpaid), used or void ticket is 409, as ' +
        'is a ticket with an open offer or an event whose transfers have closed. Only the owner may offer: any ' +
        'other caller is answered 404.',
      tags: TAGS,
      auth: true,
      action: 'ticketing.transfers.offer',
      status: 201,
      params: IdParams,
      body: TransferBody,
      examples: {
        request: { email: EXAMPLE_TRANSFER.recipient_email, message: EXAMPLE_TRANSFER.message! },
        response: EXAMPLE_TRANSFER,
      },
      response: { ...Transfer, description: 'The open offer' },
      problems: ['not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '/transfers/:id/accept',
      summary: 'Accept a ticket offered to your account email: the ticket becomes yours, with a new code',
      description:
        "The caller's account email must be the one the offer names (in any case); anyone else is answered 404, " +
        "as for an offer that does not exist. The ticket's old code is refused at check-in from this instant and " +
        'listed at `GET /validation/revocations`. A lapsed, cancelled or accepted offer is 409, as is a ticket ' +
        'checked in or void meanwhile, or an event whose transfers have closed; a check-in racing the acceptance ' +
        'wins or loses whole.',
      tags: TAGS,
      auth: true,
      action: 'ticketing.transfers.accept',
      status: 200,
      params: IdParams,
      // Keyed by content type, so a request without a body (the usual case) is not validated as one.
      body: { content: { 'application/json': { schema: NoParams } } },
      toParams: (request) => ({ id: (request.params as { id: number }).id }),
      examples: { request: {}, response: EXAMPLE_ACCEPTED_TRANSFER },
      response: { ...Transfer, description: 'The accepted offer; the ticket is at `GET /tickets/{ticket_id}`' },
      problems: ['not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'DELETE',
      url: '/transfers/:id',
      summary: 'Cancel an open offer (the owner who made it, or an admin)',
      description: 'Anyone else is answered 404. An offer no longer open (accepted, cancelled, lapsed) is 409.',
      tags: TAGS,
      auth: true,
      action: 'ticketing.transfers.cancel',
      status: 200,
      params: IdParams,
      examples: { response: { ...EXAMPLE_TRANSFER, status: 'cancelled', decided_at: '2027-01-21T10:00:00.000Z' } },
      response: { ...Transfer, description: 'The cancelled offer' },
      problems: ['not-found', 'conflict'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/:id/owners',
      summary: "Who has held the ticket, buyer first (its owner, the event's organizer or an admin)",
      description: 'Each owner with when they held it and how they got it. Anyone else is answered 404.',
      tags: TAGS,
      auth: true,
      action: 'ticketing.transfers.owners',
      status: 200,
      params: IdParams,
      examples: { response: EXAMPLE_TICKET_OWNERS },
      response: { ...Type.Ref(TicketOwnersSchema), description: "The ticket's owners, oldest first" },
      problems: ['not-found'],
    }),
  );
};

/** `/admin/tickets`: what only admins do to tickets. */
export const adminTicketRoutes: FastifyPluginAsync = async (app) => {
  app.route(
    serviceRoute({
      method: 'POST',
      url: '/transfer',
      summary: 'Transfer a ticket to the account of an email at once (admins only)',
      description:
        'With the guarantees of an accepted offer: a new code, the old one refused and listed as revoked, the ' +
        'history kept. An open offer of the ticket is cancelled. No account with the email is 422 (admins see ' +
        "accounts anyway); a reserved, used or void ticket 409. The event's transfer cut-off does not bind admins.",
      tags: TAGS,
      auth: true,
      action: 'ticketing.transfers.adminTransfer',
      status: 200,
      body: AdminTransferBody,
      examples: {
        request: { ticket_id: EXAMPLE_TICKET.id, new_owner_email: 'tendai@example.com' },
        response: { ...EXAMPLE_ACCEPTED_TRANSFER, message: null },
      },
      response: { ...Transfer, description: 'The transfer, accepted' },
      problems: ['forbidden', 'not-found', 'conflict'],
    }),
  );
};
