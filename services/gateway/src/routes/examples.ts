import type {
  Dashboard,
  Event,
  EventAnalytics,
  EventAnalyticsDetail,
  SalesAnalytics,
  EventSummary,
  PromoCode,
  Notification,
  Order,
  PageOf,
  PaymentTransaction,
  RegisterBody,
  Revocations,
  Ticket,
  TicketOwners,
  TicketTransfer,
  TicketType,
  Token,
  User,
  ValidationResult,
  WaitlistEntry,
  WaitlistPosition,
} from '@ticketpro/shared';

/**
 * One account, event, order and ticket that hang together, shown as the OpenAPI document's
 * examples (the openapi test checks each against its schema). Typed by the shared schemas, so a
 * changed field fails `npm run typecheck` here first.
 */

const CREATED = '2027-01-10T09:00:00.000Z';
const UPDATED = '2027-01-12T14:30:00.000Z';

export const EXAMPLE_USER: User = {
  id: 42,
  firstname: 'Ada',
  surname: 'Lovelace',
  email: 'ada@example.com',
  phone_number: '+263 77 123 4567',
  street_address: '1 Analytical Engine Road, Harare',
  active: true,
  role: 'user',
  is_verified: false,
  created_at: CREATED,
  updated_at: UPDATED,
};

export const EXAMPLE_REGISTRATION: RegisterBody = {
  firstname: EXAMPLE_USER.firstname,
  surname: EXAMPLE_USER.surname,
  email: EXAMPLE_USER.email,
  password: 'Correct-Horse-9',
  phone_number: EXAMPLE_USER.phone_number,
  street_address: EXAMPLE_USER.street_address,
};

export const EXAMPLE_TOKEN: Token = {
  access_token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiI0MiIsInJvbGUiOiJ1c2VyIn0.c2lnbmF0dXJl',
  refresh_token: '0f6c2b7e4a9d4c18b3e5a1f2d7c8e9b0',
  token_type: 'bearer',
  expires_in: 900,
};

export const EXAMPLE_TICKET_TYPE: TicketType = {
  id: 7,
  event_id: 3,
  name: 'General admission',
  description: 'Standing, all areas but the VIP deck',
  price: 25,
  currency: 'USD',
  quantity: 500,
  available_quantity: 430,
  sold_quantity: 68,
  sales_start: '2027-01-15T08:00:00.000Z',
  sales_end: null,
  max_per_order: 10,
  hidden: false,
  created_at: CREATED,
  updated_at: UPDATED,
};

/** A place on a sold-out ticket type's waiting list: 4th in line for 2 units. */
export const EXAMPLE_WAITLIST_POSITION: WaitlistPosition = {
  ticket_type_id: EXAMPLE_TICKET_TYPE.id,
  quantity: 2,
  state: 'waiting',
  position: 4,
  offer: null,
  joined_at: '2027-01-21T09:30:00.000Z',
};

/** Units offered to an entry: claimed by ordering the ticket type before `expires_at`. */
export const EXAMPLE_WAITLIST_OFFERED: WaitlistPosition = {
  ...EXAMPLE_WAITLIST_POSITION,
  state: 'offered',
  position: null,
  offer: { quantity: 2, expires_at: '2027-01-22T10:15:00.000Z' },
};

export const EXAMPLE_WAITLIST_ENTRY: WaitlistEntry = { id: 88, user_id: EXAMPLE_USER.id, ...EXAMPLE_WAITLIST_POSITION };

export const EXAMPLE_EVENT: Event = {
  id: 3,
  event_name: 'Harare Jazz Night',
  description: 'Three bands on one stage, doors at six.',
  organizer_id: 9,
  location: 'Harare Gardens',
  date: '2027-03-20T18:00:00.000Z',
  image: 'https://images.example.com/jazz-night.jpg',
  capacity: 1200,
  transfer_cutoff_hours: 2,
  organizer: { id: 9, firstname: 'Grace', surname: 'Hopper' },
  ticket_types: [EXAMPLE_TICKET_TYPE],
  created_at: CREATED,
  updated_at: UPDATED,
};

export const EXAMPLE_PROMO_CODE: PromoCode = {
  id: 12,
  event_id: 3,
  code: 'JAZZ10',
  percent_off: 10,
  amount_off: null,
  ticket_type_ids: [EXAMPLE_TICKET_TYPE.id],
  starts_at: '2027-01-15T08:00:00.000Z',
  ends_at: '2027-03-01T00:00:00.000Z',
  max_uses: 100,
  max_uses_per_user: 1,
  unlocks_ticket_type_ids: [],
  uses: 37,
  created_at: CREATED,
  updated_at: UPDATED,
};

export const EXAMPLE_EVENT_SUMMARY: EventSummary = { ...EXAMPLE_EVENT, ticket_types_total: 1 };

export const EXAMPLE_ORDER: Order = {
  id: 1001,
  user_id: EXAMPLE_USER.id,
  event_id: EXAMPLE_EVENT.id,
  order_date: '2027-01-20T10:15:00.000Z',
  total_price: 45,
  discount: 5,
  promo_code: 'JAZZ10',
  currency: 'USD',
  payment_method: 'credit_card',
  payment_status: 'pending',
  expires_at: '2027-01-20T10:30:00.000Z',
  items: [{ ticket_type_id: EXAMPLE_TICKET_TYPE.id, quantity: 2, unit_price: 25, discount: 5 }],
  created_at: '2027-01-20T10:15:00.000Z',
  updated_at: '2027-01-20T10:15:00.000Z',
};

export const EXAMPLE_PAID_ORDER: Order = {
  ...EXAMPLE_ORDER,
  payment_status: 'completed',
  expires_at: null,
  updated_at: '2027-01-20T10:17:00.000Z',
};

/** The paid order's payment, as its ledger row. */
export const EXAMPLE_TRANSACTION: PaymentTransaction = {
  id: 501,
  order_id: EXAMPLE_PAID_ORDER.id,
  kind: 'payment',
  provider: 'cash',
  provider_reference: null,
  amount: EXAMPLE_PAID_ORDER.total_price,
  currency: EXAMPLE_PAID_ORDER.currency,
  state: 'completed',
  refund_of: null,
  ticket_ids: null,
  recorded_by: 7,
  settled_by: null,
  settled_at: null,
  note: 'Paid at the box office',
  created_at: '2027-01-20T10:17:00.000Z',
  updated_at: '2027-01-20T10:17:00.000Z',
};

export const EXAMPLE_QR_CODE = 'TP1.k1.AAAD6QAAAAM.3q2-7wC5t8Hn4v_8rQ9c1Jd0fZ2b6kXy';

export const EXAMPLE_TICKET: Ticket = {
  id: 5001,
  order_id: EXAMPLE_ORDER.id,
  ticket_type_id: EXAMPLE_TICKET_TYPE.id,
  event_id: EXAMPLE_EVENT.id,
  seat_number: null,
  qr_code: EXAMPLE_QR_CODE,
  status: 'valid',
  checked_in: false,
  checked_out: false,
  validated_at: null,
  validated_by: null,
  created_at: '2027-01-20T10:17:00.000Z',
  updated_at: '2027-01-20T10:17:00.000Z',
};

export const EXAMPLE_VALIDATION: ValidationResult = {
  ticket_id: EXAMPLE_TICKET.id,
  event_id: EXAMPLE_EVENT.id,
  status: 'valid',
  admitted: true,
  checked_in: false,
  checked_out: false,
  validated_at: null,
  validated_by: null,
};

export const EXAMPLE_CHECKED_IN: ValidationResult = {
  ...EXAMPLE_VALIDATION,
  status: 'used',
  checked_in: true,
  validated_at: '2027-03-20T17:42:00.000Z',
  validated_by: EXAMPLE_EVENT.organizer_id,
};

/** The ticket above, offered by its buyer to a friend. */
export const EXAMPLE_TRANSFER: TicketTransfer = {
  id: 77,
  ticket_id: EXAMPLE_TICKET.id,
  event_id: EXAMPLE_EVENT.id,
  from_user_id: EXAMPLE_ORDER.user_id,
  recipient_email: 'tendai@example.com',
  message: 'Enjoy the show!',
  status: 'pending',
  to_user_id: null,
  expires_at: '2027-01-24T09:00:00.000Z',
  decided_at: null,
  created_at: '2027-01-21T09:00:00.000Z',
};

/** The same offer, accepted by the friend's account. */
export const EXAMPLE_ACCEPTED_TRANSFER: TicketTransfer = {
  ...EXAMPLE_TRANSFER,
  status: 'accepted',
  to_user_id: 58,
  decided_at: '2027-01-21T11:30:00.000Z',
};

export const EXAMPLE_TICKET_OWNERS: TicketOwners = {
  ticket_id: EXAMPLE_TICKET.id,
  owners: [
    {
      user_id: EXAMPLE_ORDER.user_id,
      since: EXAMPLE_TICKET.created_at,
      until: EXAMPLE_ACCEPTED_TRANSFER.decided_at,
      via: 'purchase',
      transfer_id: null,
    },
    {
      user_id: 58,
      since: EXAMPLE_ACCEPTED_TRANSFER.decided_at!,
      until: null,
      via: 'transfer',
      transfer_id: EXAMPLE_TRANSFER.id,
    },
  ],
};

export const EXAMPLE_REVOCATIONS: Revocations = {
  revocations: [
    {
      qr_code: EXAMPLE_QR_CODE,
      ticket_id: EXAMPLE_TICKET.id,
      event_id: EXAMPLE_EVENT.id,
      reason: 'transferred',
      revoked_at: '2027-01-21T11:30:00.123Z',
    },
  ],
  next_since: '2027-01-21T11:30:00.123Z',
  has_more: false,
};

/** The first page of a list holding `item` alone. */
export const pageExample = <T>(item: T): PageOf<T> => ({
  items: [item],
  total: 1,
  skip: 0,
  limit: 20,
  has_next: false,
  has_prev: false,
});

/** The ticket delivery of the paid order above, as it stands once sent. */
export const EXAMPLE_NOTIFICATION: Notification = {
  id: 311,
  kind: 'ticket_delivery',
  recipient_id: EXAMPLE_PAID_ORDER.user_id,
  order_id: EXAMPLE_PAID_ORDER.id,
  status: 'sent',
  attempts: 1,
  provider_message_id: '<ticket-delivery.1001.311@ticketpro.example>',
  last_error: null,
  next_attempt_at: null,
  sent_at: '2027-01-12T14:31:05.000Z',
  created_at: '2027-01-12T14:31:02.000Z',
};

/** Reporting's figures for the event above: two paid orders in USD, one of them partly refunded. */
const AS_OF = '2027-01-31T11:59:58.000Z';

export const EXAMPLE_SALES: SalesAnalytics = {
  period_start: '2027-01-01T12:00:00.000Z',
  period_end: '2027-01-31T12:00:00.000Z',
  by_currency: [
    { currency: 'USD', revenue: 75, orders: 2, tickets_sold: 3, average_order_value: 37.5, refunds: 25 },
    { currency: 'ZWG', revenue: 1350.5, orders: 1, tickets_sold: 1, average_order_value: 1350.5, refunds: 0 },
  ],
  daily: [
    { date: '2027-01-20', currency: 'USD', revenue: 75, orders: 2, tickets_sold: 3, refunds: 0 },
    { date: '2027-01-21', currency: 'USD', revenue: 0, orders: 0, tickets_sold: 0, refunds: 25 },
    { date: '2027-01-21', currency: 'ZWG', revenue: 1350.5, orders: 1, tickets_sold: 1, refunds: 0 },
  ],
  as_of: AS_OF,
};

export const EXAMPLE_DASHBOARD: Dashboard = {
  sales_stats: {
    total_sales: [
      { currency: 'USD', amount: 75 },
      { currency: 'ZWG', amount: 1350.5 },
    ],
    total_orders: 3,
    total_tickets_sold: 4,
    average_order_value: [
      { currency: 'USD', amount: 37.5 },
      { currency: 'ZWG', amount: 1350.5 },
    ],
    period_start: EXAMPLE_SALES.period_start,
    period_end: EXAMPLE_SALES.period_end,
  },
  user_activity: { total_users: 120, active_users: 117, new_users_this_month: 14, users_with_orders: 38 },
  top_events: [
    {
      event_id: EXAMPLE_EVENT.id,
      event_name: EXAMPLE_EVENT.event_name,
      total_orders: 3,
      tickets_sold: 4,
      revenue: [
        { currency: 'USD', amount: 75 },
        { currency: 'ZWG', amount: 1350.5 },
      ],
    },
  ],
  revenue_by_event: [
    { event_id: EXAMPLE_EVENT.id, event_name: EXAMPLE_EVENT.event_name, currency: 'USD', revenue: 75, percentage: 100 },
    {
      event_id: EXAMPLE_EVENT.id,
      event_name: EXAMPLE_EVENT.event_name,
      currency: 'ZWG',
      revenue: 1350.5,
      percentage: 100,
    },
  ],
  payment_methods: [
    { payment_method: 'credit_card', currency: 'USD', count: 1, total_amount: 50, percentage: 66.67 },
    { payment_method: 'cash', currency: 'USD', count: 1, total_amount: 25, percentage: 33.33 },
    { payment_method: 'ecocash', currency: 'ZWG', count: 1, total_amount: 1350.5, percentage: 100 },
  ],
  totals: {
    revenue: [
      { currency: 'USD', amount: 75 },
      { currency: 'ZWG', amount: 1350.5 },
    ],
    refunds: [{ currency: 'USD', amount: 25 }],
    total_orders: 3,
    total_tickets_sold: 4,
  },
  as_of: AS_OF,
};

export const EXAMPLE_EVENT_ANALYTICS: EventAnalytics = {
  event_id: EXAMPLE_EVENT.id,
  event_name: EXAMPLE_EVENT.event_name,
  organizer_id: EXAMPLE_EVENT.organizer_id,
  date: EXAMPLE_EVENT.date,
  total_revenue: EXAMPLE_DASHBOARD.totals.revenue,
  total_orders: 3,
  total_tickets_sold: 4,
  capacity: 200,
  available_tickets: 196,
  capacity_percentage: 2,
  checked_in: 1,
  refunds: { count: 1, amounts: [{ currency: 'USD', amount: 25 }] },
};

export const EXAMPLE_EVENT_ANALYTICS_DETAIL: EventAnalyticsDetail = {
  ...EXAMPLE_EVENT_ANALYTICS,
  sales_per_day: EXAMPLE_SALES.daily,
  as_of: AS_OF,
};

/** The start of an event's CSV exports, as a spreadsheet would receive them. */
export const EXAMPLE_ORDERS_CSV =
  'order_id,created_at,paid_at,buyer_name,buyer_email,payment_status,payment_method,currency,total_price,refunded,tickets\r\n' +
  '1001,2027-01-20T10:15:00.000Z,2027-01-20T10:17:00.000Z,Ada Lovelace,ada@example.com,completed,credit_card,USD,50.00,0.00,2\r\n';

export const EXAMPLE_ATTENDEES_CSV =
  'ticket_id,order_id,ticket_type,seat_number,holder_name,holder_email,status,checked_in_at\r\n' +
  '77,1001,General admission,B12,Ada Lovelace,ada@example.com,used,2027-03-20T17:42:00.000Z\r\n' +
  `78,1001,General admission,,"'=HYPERLINK(""http://x"")",eve@example.com,valid,\r\n`;
