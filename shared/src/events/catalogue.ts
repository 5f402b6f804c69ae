import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';

const UserFacts = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    firstname: Type.String(),
    surname: Type.String(),
    role: Type.Union([Type.Literal('user'), Type.Literal('organizer'), Type.Literal('admin')]),
    active: Type.Boolean(),
  },
  { additionalProperties: false },
);

/**
 * With the user's token version: identity raises it when the account is deactivated or changes
 * role, and access tokens that carry a lower one (claim `ver`) are refused from then on.
 */
const UserFactsWithTokenVersion = Type.Object(
  { ...UserFacts.properties, token_version: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

const EventFacts = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    event_name: Type.String(),
    organizer_id: Type.Integer({ minimum: 1 }),
    location: Type.String(),
    date: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

const TicketTypeFacts = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    event_id: Type.Integer({ minimum: 1 }),
    name: Type.String(),
    /** Exact decimal string, e.g. "19.99". */
    price: Type.String({ pattern: '^\\d+(\\.\\d{1,2})?$' }),
    currency: Type.String(),
    quantity: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

const OrderFacts = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    user_id: Type.Integer({ minimum: 1 }),
    event_id: Type.Integer({ minimum: 1 }),
    /** Exact decimal string, e.g. "59.97". */
    total_price: Type.String({ pattern: '^\\d+(\\.\\d{1,2})?$' }),
    currency: Type.String(),
    payment_status: Type.String(),
    items: Type.Array(
      Type.Object(
        {
          ticket_type_id: Type.Integer({ minimum: 1 }),
          quantity: Type.Integer({ minimum: 1 }),
          unit_price: Type.String({ pattern: '^\\d+(\\.\\d{1,2})?$' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const TicketFacts = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    order_id: Type.Integer({ minimum: 1 }),
    ticket_type_id: Type.Integer({ minimum: 1 }),
    event_id: Type.Integer({ minimum: 1 }),
    status: Type.String(),
    validated_by: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  },
  { additionalProperties: false },
);

const Removed = <Extra extends TProperties = {}>(extra: Extra = {} as Extra) =>
  Type.Object({ id: Type.Integer({ minimum: 1 }), ...extra }, { additionalProperties: false });

/**
 * The one catalogue of domain events: name (the subject after the `ticketpro.` prefix) →
 * payload schema and version. A breaking change to a payload gets a new version.
 */
export const EVENT_CATALOGUE = {
  'identity.user.registered': { version: 1, data: UserFacts },
  // v2: token_version, so that every gateway refuses older access tokens at once.
  'identity.user.updated': { version: 2, data: UserFactsWithTokenVersion },
  // Every access token of a deleted account is refused: ids are never reused.
  'identity.user.deleted': { version: 1, data: Removed() },
  // A sign-in ended (logout, or its refresh token replayed): its access tokens (claim `sid`) are refused.
  'identity.session.revoked': {
    version: 1,
    data: Type.Object(
      { user_id: Type.Integer({ minimum: 1 }), session_id: Type.String({ format: 'uuid' }) },
      { additionalProperties: false },
    ),
  },
  'catalog.event.created': { version: 1, data: EventFacts },
  'catalog.event.updated': { version: 1, data: EventFacts },
  'catalog.event.deleted': { version: 1, data: Removed({ organizer_id: Type.Integer({ minimum: 1 }) }) },
  'catalog.ticket_type.created': { version: 1, data: TicketTypeFacts },
  'catalog.ticket_type.updated': { version: 1, data: TicketTypeFacts },
  'catalog.ticket_type.deleted': { version: 1, data: Removed({ event_id: Type.Integer({ minimum: 1 }) }) },
  'ordering.order.created': { version: 1, data: OrderFacts },
  'ordering.order.paid': { version: 1, data: OrderFacts },
  'ordering.order.cancelled': { version: 1, data: OrderFacts },
  'ordering.order.expired': { version: 1, data: OrderFacts },
  'ordering.order.refunded': { version: 1, data: OrderFacts },
  'ticketing.ticket.issued': { version: 1, data: TicketFacts },
  'ticketing.ticket.checked_in': { version: 1, data: TicketFacts },
  'ticketing.ticket.checked_out': { version: 1, data: TicketFacts },
  'ticketing.ticket.voided': { version: 1, data: TicketFacts },
} satisfies Record<string, { version: number; data: TSchema }>;

export type EventName = keyof typeof EVENT_CATALOGUE;
export type EventData<N extends EventName> = Static<(typeof EVENT_CATALOGUE)[N]['data']>;

/** The message on the wire: CloudEvents attribute names, JSON. */
export interface EventEnvelope<N extends EventName = EventName> {
  id: string;
  type: `ticketpro.${N}`;
  source: string;
  time: string;
  specversion: '1.0';
  dataversion: number;
  data: EventData<N>;
}

export function isEventName(value: string): value is EventName {
  return Object.prototype.hasOwnProperty.call(EVENT_CATALOGUE, value);
}

/** `ticketpro.identity.user.registered`, or another prefix where tests keep their own subjects. */
export function subjectFor(prefix: string, name: EventName): string {
  return `${prefix}.${name}`;
}
