import type { Static } from '@sinclair/typebox';
import type { Revocations, Ticket, TicketKeysSchema, TicketTransfer, ValidationResult } from '@ticketpro/shared';
import { ServiceStandIn, type StandInAnswers } from '@ticketpro/shared/testing';

export const SAMPLE_CODE = 'TP1.AAAAKwAAAAdzZWNyZXQtc2VjcmV0LTE2a2V5LTE.c2lnbmF0dXJl';

export const SAMPLE_TICKET: Ticket & { user_id: number; secret: string } = {
  id: 43,
  order_id: 31,
  ticket_type_id: 11,
  event_id: 7,
  seat_number: null,
  qr_code: SAMPLE_CODE,
  status: 'valid',
  checked_in: false,
  checked_out: false,
  validated_at: null,
  validated_by: null,
  created_at: '2027-02-01T09:01:00.000Z',
  updated_at: '2027-02-01T09:01:00.000Z',
  // Ticketing's own bookkeeping: the gateway's response schema must drop it.
  user_id: 42,
  secret: 'c2VjcmV0',
};

/** What a client may see of `SAMPLE_TICKET`. */
export const TICKET_VIEW = {
  id: 43,
  order_id: 31,
  ticket_type_id: 11,
  event_id: 7,
  seat_number: null,
  qr_code: SAMPLE_CODE,
  status: 'valid',
  checked_in: false,
  checked_out: false,
  validated_at: null,
  validated_by: null,
  created_at: '2027-02-01T09:01:00.000Z',
  updated_at: '2027-02-01T09:01:00.000Z',
};

export const SAMPLE_VALIDATION: ValidationResult & { order_id: number } = {
  ticket_id: 43,
  event_id: 7,
  status: 'used',
  admitted: true,
  checked_in: true,
  checked_out: false,
  validated_at: '2027-04-28T15:30:00.000Z',
  validated_by: 3,
  // Not part of the contract: dropped.
  order_id: 31,
};

export const VALIDATION_VIEW = {
  ticket_id: 43,
  event_id: 7,
  status: 'used',
  admitted: true,
  checked_in: true,
  checked_out: false,
  validated_at: '2027-04-28T15:30:00.000Z',
  validated_by: 3,
};

export const SAMPLE_KEYS: Static<typeof TicketKeysSchema> = {
  keys: [{ kid: 'key-1', kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', use: 'sig' }],
};

/** Bytes no JSON or text round trip would keep: the PNG signature, a NUL, and bytes above 0x7f. */
export const SAMPLE_PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80, 0x01]);
export const SAMPLE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29"><path d="M0 0h7v7H0z"/></svg>';

export const SAMPLE_TRANSFER: TicketTransfer = {
  id: 71,
  ticket_id: 43,
  event_id: 7,
  from_user_id: 42,
  recipient_email: 'friend@example.com',
  message: null,
  status: 'pending',
  to_user_id: null,
  expires_at: '2027-02-04T09:00:00.000Z',
  decided_at: null,
  created_at: '2027-02-01T09:00:00.000Z',
};

export const ACCEPTED_TRANSFER: TicketTransfer = {
  ...SAMPLE_TRANSFER,
  status: 'accepted',
  to_user_id: 44,
  decided_at: '2027-02-01T10:00:00.000Z',
};

export const SAMPLE_REVOCATIONS: Revocations = {
  revocations: [
    { qr_code: SAMPLE_CODE, ticket_id: 43, event_id: 7, reason: 'transferred', revoked_at: '2027-02-01T10:00:00.000Z' },
  ],
  next_since: '2027-02-01T10:00:00.000Z',
  has_more: false,
};

/** Stands in for ticketing's ticket, transfer and validation actions. */
export class TicketingStandIn extends ServiceStandIn<'ticketing'> {
  constructor() {
    super('ticketing');
  }

  protected answers(): StandInAnswers<'ticketing'> {
    return {
      health: () => ({ status: 'ok' }),
      'tickets.list': (ctx) => ({
        items: [SAMPLE_TICKET],
        total: 1,
        skip: ctx.params.skip,
        limit: ctx.params.limit,
        has_next: false,
        has_prev: false,
      }),
      'tickets.get': (ctx) => ({ ...SAMPLE_TICKET, id: ctx.params.id }),
      'tickets.create': (ctx) => ({ ...SAMPLE_TICKET, ...ctx.params, status: 'reserved' }),
      'tickets.update': (ctx) => ({ ...SAMPLE_TICKET, ...ctx.params }),
      'tickets.delete': () => ({ message: 'Ticket cancelled' }),
      'tickets.qr': (ctx) =>
        ctx.params.format === 'svg'
          ? { content_type: 'image/svg+xml', body: SAMPLE_SVG }
          : { content_type: 'image/png', body: SAMPLE_PNG.toString('base64') },
      'validation.validate': () => ({
        ...SAMPLE_VALIDATION,
        status: 'valid',
        checked_in: false,
        validated_at: null,
        validated_by: null,
      }),
      'validation.checkin': () => SAMPLE_VALIDATION,
      'validation.checkout': () => ({ ...SAMPLE_VALIDATION, admitted: false, checked_out: true }),
      'validation.status': (ctx) => ({ ...SAMPLE_VALIDATION, ticket_id: ctx.params.ticket_id }),
      'validation.keys': () => SAMPLE_KEYS,
      'validation.revocations': () => SAMPLE_REVOCATIONS,
      'transfers.offer': (ctx) => ({
        ...SAMPLE_TRANSFER,
        ticket_id: ctx.params.id,
        recipient_email: ctx.params.email.toLowerCase(),
        message: ctx.params.message ?? null,
      }),
      'transfers.accept': (ctx) => ({ ...ACCEPTED_TRANSFER, id: ctx.params.id }),
      'transfers.cancel': (ctx) => ({ ...SAMPLE_TRANSFER, id: ctx.params.id, status: 'cancelled' }),
      'transfers.adminTransfer': (ctx) => ({ ...ACCEPTED_TRANSFER, ticket_id: ctx.params.ticket_id }),
      'transfers.owners': (ctx) => ({
        ticket_id: ctx.params.id,
        owners: [{ user_id: 42, since: '2027-02-01T09:01:00.000Z', until: null, via: 'purchase', transfer_id: null }],
      }),
    };
  }
}
