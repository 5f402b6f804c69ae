import { Type, type Static } from '@sinclair/typebox';
import {
  AuditTimestamps,
  CreateBody,
  DateOrTimestamp,
  Id,
  IdAnd,
  IdAndChanges,
  RemovedFacts,
  Text,
  Timestamp,
} from './common';
import { PublicNameSchema } from './identity';
import { PageQuery } from '../pagination';
import { DecimalTextSchema } from '../money';

/** Money as a JSON number with at most two decimals; stored as NUMERIC, never as a float. */
export const Price = Type.Number({
  minimum: 0,
  maximum: 100000,
  multipleOf: 0.01,
  errorMessage: 'must be 0-100000 with at most 2 decimals',
});

/** ISO 4217 code. */
export const Currency = Type.String({
  pattern: '^[A-Z]{3}$',
  errorMessage: 'must be an ISO 4217 code such as USD or ZWG',
});

export const OrganizerSchema = Type.Object(PublicNameSchema.properties, {
  $id: 'Organizer',
  additionalProperties: false,
});

export const TicketTypeSchema = Type.Object(
  {
    id: Id,
    event_id: Id,
    name: Type.String(),
    description: Type.String(),
    price: Type.Number(),
    currency: Type.String(),
    quantity: Type.Integer(),
    available_quantity: Type.Integer({ minimum: 0 }),
    sold_quantity: Type.Integer({ minimum: 0 }),
    sales_start: Type.Union([Timestamp, Type.Null()]),
    sales_end: Type.Union([Timestamp, Type.Null()]),
    max_per_order: Type.Union([Type.Integer(), Type.Null()]),
    hidden: Type.Boolean({
      description: 'Not listed publicly, and sold only with a promo code that unlocks it',
    }),
    ...AuditTimestamps,
  },
  { $id: 'TicketType', additionalProperties: false },
);
export type TicketType = Static<typeof TicketTypeSchema>;

export const EventSchema = Type.Object(
  {
    id: Id,
    event_name: Type.String(),
    description: Type.String(),
    organizer_id: Id,
    location: Type.String(),
    date: Timestamp,
    image: Type.Union([Type.String(), Type.Null()]),
    capacity: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: "Seats across all the event's ticket types; null when only each type's quantity limits it",
    }),
    transfer_cutoff_hours: Type.Union([Type.Integer(), Type.Null()], {
      description: 'Ticket transfers close this many hours before the event starts (null: at its start)',
    }),
    organizer: Type.Ref(OrganizerSchema),
    ticket_types: Type.Array(Type.Ref(TicketTypeSchema)),
    ...AuditTimestamps,
  },
  { $id: 'Event', additionalProperties: false },
);
export type Event = Static<typeof EventSchema>;

/** How many of an event's ticket types an item of `GET /events` embeds: its cheapest ones. */
export const LISTED_TICKET_TYPES = 5;

/**
 * An event as `GET /events` lists it: bounded, however many ticket types the event has. The
 * whole list is at `GET /events/{id}` and, a page at a time, at `GET /tickets/types?event_id=`.
 */
export const EventSummarySchema = Type.Object(
  {
    ...Type.Omit(EventSchema, ['ticket_types']).properties,
    ticket_types: Type.Array(Type.Ref(TicketTypeSchema), {
      maxItems: LISTED_TICKET_TYPES,
      description: `The event's ${LISTED_TICKET_TYPES} cheapest ticket types at most, by price then id: the first is the cheapest`,
    }),
    ticket_types_total: Type.Integer({ minimum: 0, description: 'How many ticket types the event has in all' }),
  },
  { $id: 'EventSummary', additionalProperties: false },
);
export type EventSummary = Static<typeof EventSummarySchema>;

/** A change names at least one field and nothing unknown. */
const UPDATE_OPTIONS = {
  additionalProperties: false,
  minProperties: 1,
  errorMessage: 'at least one field to change is required',
};

const EventFields = {
  event_name: Text(3, 200),
  description: Text(10, 5000),
  location: Text(3, 200),
  date: Type.String({ format: 'date-time', errorMessage: 'must be an ISO 8601 timestamp with zone, in the future' }),
  // Only web addresses: a client shows the image, and javascript:, data: or file: URLs there are an attack.
  image: Type.Union(
    [Type.String({ format: 'uri', maxLength: 500, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' }), Type.Null()],
    {
      errorMessage: 'must be an http or https URL of at most 500 characters',
    },
  ),
  capacity: Type.Union([Type.Integer({ minimum: 1, maximum: 10000000 }), Type.Null()], {
    errorMessage: 'must be a whole number of seats from 1 to 10000000, or null for no event-wide limit',
  }),
  transfer_cutoff_hours: Type.Union([Type.Integer({ minimum: 0, maximum: 8760 }), Type.Null()], {
    description: 'Ticket transfers close this many hours before the event starts (0..8760; null: at its start)',
  }),
};

export const CreateEventBody = CreateBody(EventFields, ['event_name', 'description', 'location', 'date']);
export type CreateEventBody = Static<typeof CreateEventBody>;

/** Any subset of the event's fields, by the same rules as on creation. */
export const UpdateEventBody = Type.Partial(Type.Object(EventFields), UPDATE_OPTIONS);
export type UpdateEventBody = Static<typeof UpdateEventBody>;

export const UpdateEventParams = IdAndChanges(UpdateEventBody);
export type UpdateEventParams = Static<typeof UpdateEventParams>;

export const ListEventsQuery = Type.Object(
  {
    ...PageQuery,
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    location: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    organizer_id: Type.Optional(Id),
    from_date: Type.Optional(DateOrTimestamp),
    to_date: Type.Optional(DateOrTimestamp),
  },
  { additionalProperties: false },
);
export type ListEventsQuery = Static<typeof ListEventsQuery>;

const TicketTypeFields = {
  name: Text(3, 100),
  description: Text(10, 1000),
  price: Price,
  quantity: Type.Integer({ minimum: 1, maximum: 100000 }),
  currency: Currency,
  sales_start: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  sales_end: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  max_per_order: Type.Union([Type.Integer({ minimum: 1, maximum: 100000 }), Type.Null()]),
  hidden: Type.Boolean(),
};

export const CreateTicketTypeBody = CreateBody(TicketTypeFields, ['name', 'description', 'price', 'quantity'], {
  event_id: Id,
});
export type CreateTicketTypeBody = Static<typeof CreateTicketTypeBody>;

/** Any subset of the ticket type's fields but its event, by the same rules as on creation. */
export const UpdateTicketTypeBody = Type.Partial(Type.Object(TicketTypeFields), UPDATE_OPTIONS);
export type UpdateTicketTypeBody = Static<typeof UpdateTicketTypeBody>;

export const UpdateTicketTypeParams = IdAndChanges(UpdateTicketTypeBody);
export type UpdateTicketTypeParams = Static<typeof UpdateTicketTypeParams>;

export const ListTicketTypesQuery = Type.Object(
  { ...PageQuery, event_id: Type.Optional(Id) },
  { additionalProperties: false },
);
export type ListTicketTypesQuery = Static<typeof ListTicketTypesQuery>;

// --- Promo codes: `/events/{id}/promo-codes`, managed by the event's organizer or an admin. ---

/** A promo code as buyers type it; matched without regard to case. */
export const PromoCodeText = Type.String({
  pattern: '^[A-Za-z0-9_-]{3,40}$',
  errorMessage: 'must be 3-40 letters, digits, - or _',
});

const TicketTypeIds = Type.Array(Id, { maxItems: 50, uniqueItems: true });
const NullableTimestamp = Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
  errorMessage: 'must be an ISO 8601 timestamp with zone, or null',
});

const PromoCodeFields = {
  code: PromoCodeText,
  percent_off: Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 100, multipleOf: 0.01 }), Type.Null()], {
    errorMessage: 'must be more than 0 and at most 100, with at most 2 decimals',
  }),
  amount_off: Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 100000, multipleOf: 0.01 }), Type.Null()], {
    errorMessage: 'must be more than 0 and at most 100000, with at most 2 decimals',
  }),
  ticket_type_ids: Type.Union([TicketTypeIds, Type.Null()]),
  starts_at: NullableTimestamp,
  ends_at: NullableTimestamp,
  max_uses: Type.Union([Type.Integer({ minimum: 1, maximum: 1000000 }), Type.Null()]),
  max_uses_per_user: Type.Union([Type.Integer({ minimum: 1, maximum: 1000 }), Type.Null()]),
  unlocks_ticket_type_ids: TicketTypeIds,
};

export const PromoCodeSchema = Type.Object(
  {
    id: Id,
    event_id: Id,
    code: Type.String(),
    percent_off: Type.Union([Type.Number(), Type.Null()]),
    amount_off: Type.Union([Type.Number(), Type.Null()]),
    ticket_type_ids: Type.Union([Type.Array(Id), Type.Null()], {
      description: 'The ticket types it discounts; null: all of the event',
    }),
    starts_at: Type.Union([Timestamp, Type.Null()]),
    ends_at: Type.Union([Timestamp, Type.Null()]),
    max_uses: Type.Union([Type.Integer(), Type.Null()]),
    max_uses_per_user: Type.Union([Type.Integer(), Type.Null()]),
    unlocks_ticket_type_ids: Type.Array(Id),
    uses: Type.Integer({
      minimum: 0,
      description: 'Orders using it now: paid, or pending with a live hold (a cancelled or expired one gives it back)',
    }),
    ...AuditTimestamps,
  },
  { $id: 'PromoCode', additionalProperties: false },
);
export type PromoCode = Static<typeof PromoCodeSchema>;

/** Exactly one of `percent_off` and `amount_off` (checked by catalog, which words the 422). */
export const CreatePromoCodeBody = CreateBody(PromoCodeFields, ['code']);
export type CreatePromoCodeBody = Static<typeof CreatePromoCodeBody>;

export const UpdatePromoCodeBody = Type.Partial(Type.Object(PromoCodeFields), UPDATE_OPTIONS);
export type UpdatePromoCodeBody = Static<typeof UpdatePromoCodeBody>;

/** A promo code's path: its event, and its id. */
export const PromoCodeParams = Type.Object({ id: Id, code_id: Id }, { additionalProperties: false });
export type PromoCodeParams = Static<typeof PromoCodeParams>;

export const CreatePromoCodeParams = IdAnd(CreatePromoCodeBody);
export type CreatePromoCodeParams = Static<typeof CreatePromoCodeParams>;

export const UpdatePromoCodeParams = Type.Object(
  { id: Id, code_id: Id, ...UpdatePromoCodeBody.properties },
  { additionalProperties: false, minProperties: 3, errorMessage: 'at least one field to change is required' },
);
export type UpdatePromoCodeParams = Static<typeof UpdatePromoCodeParams>;

export const ListPromoCodesParams = Type.Object({ id: Id, ...PageQuery }, { additionalProperties: false });
export type ListPromoCodesParams = Static<typeof ListPromoCodesParams>;

// --- Inventory: actions ordering (and ticketing) call; not exposed over HTTP. ---

/**
 * Whose units a hold takes, for the limits on what one user may hold unpaid
 * (`MAX_PENDING_ORDERS_PER_USER`, `MAX_PENDING_UNITS_PER_EVENT`): the order's owner, and
 * `exempt` when an admin asks.
 */
export const Holder = Type.Object({ user_id: Id, exempt: Type.Boolean() }, { additionalProperties: false });
export type Holder = Static<typeof Holder>;

export const HoldParams = Type.Object(
  {
    order_id: Id,
    event_id: Id,
    holder: Holder,
    items: Type.Array(
      Type.Object(
        { ticket_type_id: Id, quantity: Type.Integer({ minimum: 1, maximum: 100000 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
    expires_at: Type.String({ format: 'date-time' }),
    /** A promo code of the event: its use is reserved with the hold, and given back with it. */
    promo_code: Type.Optional(PromoCodeText),
  },
  { additionalProperties: false },
);
export type HoldParams = Static<typeof HoldParams>;

/** `total_price` is what is to be paid: the items' prices less `discount`. */
export const HoldResult = Type.Object({
  order_id: Id,
  expires_at: Timestamp,
  currency: Type.String(),
  total_price: DecimalTextSchema,
  discount: DecimalTextSchema,
  promo_code: Type.Union([Type.String(), Type.Null()]),
  items: Type.Array(
    Type.Object({
      ticket_type_id: Id,
      quantity: Type.Integer(),
      unit_price: DecimalTextSchema,
      /** Off the line (`quantity` × `unit_price`), by the promo code. */
      discount: DecimalTextSchema,
    }),
  ),
});
export type HoldResult = Static<typeof HoldResult>;

export const OrderRef = Type.Object({ order_id: Id }, { additionalProperties: false });
export type OrderRef = Static<typeof OrderRef>;

export const InventoryChange = Type.Object({ order_id: Id, units: Type.Integer({ minimum: 0 }) });
export type InventoryChange = Static<typeof InventoryChange>;

/** The caller's reference for one unit's change: a retried call under it changes nothing twice. */
const UnitRef = Type.String({ minLength: 1, maxLength: 100 });

/** One more unit for an order that already holds: `ref` makes a retried call add nothing twice. */
export const AddUnitParams = Type.Object(
  {
    order_id: Id,
    ticket_type_id: Id,
    holder: Holder,
    ref: UnitRef,
    expires_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type AddUnitParams = Static<typeof AddUnitParams>;

/** A unit added or given back: its price, and how many units of its ticket type the order has now. */
const UnitChangeResult = (unitsLeastAfter: number) =>
  Type.Object({
    unit_price: DecimalTextSchema,
    currency: Type.String(),
    quantity: Type.Integer({ minimum: unitsLeastAfter }),
  });

/** The added unit's price, and the order's units of that ticket type with it. */
export const AddUnitResult = UnitChangeResult(1);
export type AddUnitResult = Static<typeof AddUnitResult>;

/** One held unit given back by an order that still holds: `ref` makes a retried call give back nothing twice. */
export const RemoveUnitParams = Type.Object(
  { order_id: Id, ticket_type_id: Id, ref: UnitRef },
  { additionalProperties: false },
);
export type RemoveUnitParams = Static<typeof RemoveUnitParams>;

/** The given-back unit's price, and the order's units of that ticket type without it. */
export const RemoveUnitResult = UnitChangeResult(0);
export type RemoveUnitResult = Static<typeof RemoveUnitResult>;

/**
 * Single sold units of an order put back on sale (a partial refund), each under the caller's
 * reference (ordering: one per refunded ticket), so a retried call returns no unit twice.
 */
export const RestockUnitsParams = Type.Object(
  {
    order_id: Id,
    units: Type.Array(Type.Object({ ref: UnitRef, ticket_type_id: Id }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 1000,
    }),
  },
  { additionalProperties: false },
);
export type RestockUnitsParams = Static<typeof RestockUnitsParams>;

/** A live hold kept longer (a payment is awaited): until at least `seconds` from now. */
export const ExtendHoldParams = Type.Object(
  { order_id: Id, seconds: Type.Integer({ minimum: 1, maximum: 86400 }) },
  { additionalProperties: false },
);
export type ExtendHoldParams = Static<typeof ExtendHoldParams>;

export const ExtendedHold = Type.Object({ order_id: Id, expires_at: Type.String({ format: 'date-time' }) });
export type ExtendedHold = Static<typeof ExtendedHold>;

// --- The waiting list of a sold-out ticket type (routed under `/tickets/types/{id}/waitlist`). ---

const WaitlistQuantity = Type.Integer({
  minimum: 1,
  maximum: 100000,
  description: "Units wanted: at most the ticket type's `max_per_order`",
});

export const JoinWaitlistBody = Type.Object({ quantity: WaitlistQuantity }, { additionalProperties: false });
export type JoinWaitlistBody = Static<typeof JoinWaitlistBody>;

export const JoinWaitlistParams = IdAnd(JoinWaitlistBody);
export type JoinWaitlistParams = Static<typeof JoinWaitlistParams>;

export const ListWaitlistQuery = Type.Object({ id: Id, ...PageQuery }, { additionalProperties: false });
export type ListWaitlistQuery = Static<typeof ListWaitlistQuery>;

const WaitlistOffer = Type.Object(
  {
    quantity: Type.Integer({ minimum: 1, description: 'Units set aside for this entry' }),
    expires_at: Type.String({ format: 'date-time', description: 'Unclaimed by then, the units pass on' }),
  },
  { additionalProperties: false },
);

const WaitlistEntryFields = {
  ticket_type_id: Id,
  quantity: Type.Integer({ minimum: 1, description: 'Units wanted' }),
  state: Type.Union([Type.Literal('waiting'), Type.Literal('offered')]),
  position: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
    description: 'Place in line among those still waiting, 1 being next; null once units are offered',
  }),
  offer: Type.Union([WaitlistOffer, Type.Null()], {
    description: 'The units set aside for this entry, claimed by ordering the ticket type before `expires_at`',
  }),
  joined_at: Timestamp,
};

/** The caller's own place on a ticket type's waiting list. */
export const WaitlistPositionSchema = Type.Object(WaitlistEntryFields, {
  $id: 'WaitlistPosition',
  additionalProperties: false,
});
export type WaitlistPosition = Static<typeof WaitlistPositionSchema>;

/** An open entry as the event's organizer sees it. */
export const WaitlistEntrySchema = Type.Object(
  { id: Id, user_id: Id, ...WaitlistEntryFields },
  { $id: 'WaitlistEntry', additionalProperties: false },
);
export type WaitlistEntry = Static<typeof WaitlistEntrySchema>;

// --- Catalog's domain events (their payloads; the contract names them and their versions). ---

export const EventFacts = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    event_name: Type.String(),
    organizer_id: Type.Integer({ minimum: 1 }),
    location: Type.String(),
    date: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** With the seats the event sells across its ticket types (null: only the types' own quantities). */
export const EventFactsWithCapacity = Type.Object(
  { ...EventFacts.properties, capacity: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]) },
  { additionalProperties: false },
);

export const TicketTypeFacts = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    event_id: Type.Integer({ minimum: 1 }),
    name: Type.String(),
    price: DecimalTextSchema,
    currency: Type.String(),
    quantity: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

export const EventRemoved = RemovedFacts({ organizer_id: Type.Integer({ minimum: 1 }) });
export const TicketTypeRemoved = RemovedFacts({ event_id: Type.Integer({ minimum: 1 }) });

/** Units were set aside for a waiting user until `expires_at`; notifications tells them. */
export const WaitlistOffered = Type.Object(
  {
    entry_id: Type.Integer({ minimum: 1 }),
    ticket_type_id: Type.Integer({ minimum: 1 }),
    event_id: Type.Integer({ minimum: 1 }),
    user_id: Type.Integer({ minimum: 1 }),
    quantity: Type.Integer({ minimum: 1 }),
    expires_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
