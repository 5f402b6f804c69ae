import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Id, Timestamp } from './common';
import { Currency } from './catalog';
import { PaymentMethodSchema } from './ordering';
import { Page, PageQuery } from '../pagination';

/** How far back a period reaches, in days ending now. */
const Days = Type.Integer({
  minimum: 1,
  maximum: 3660,
  default: 30,
  description: 'The period: this many days up to now',
});

export const PeriodQuery = Type.Object({ days: Days }, { additionalProperties: false });
export type PeriodQuery = Static<typeof PeriodQuery>;

/**
 * An amount of one currency, as the JSON number of its exact decimal text (summed by Postgres as
 * NUMERIC, never as floats). Amounts of different currencies are never added together.
 */
export const CurrencyAmount = Type.Object(
  { currency: Currency, amount: Type.Number({ minimum: 0, examples: [120.5] }) },
  { additionalProperties: false },
);
export type CurrencyAmount = Static<typeof CurrencyAmount>;
const Amounts = (description: string) => Type.Array(CurrencyAmount, { description });

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Percentage = (description: string) => Type.Number({ minimum: 0, maximum: 100, description });
export const AsOf = Type.String({
  format: 'date-time',
  description:
    'When the newest event the figures hold was recorded: they lag the sales by now - as_of. Each kind of ' +
    'event (accounts, events, orders, tickets) arrives in order, the kinds independently',
});

/** The HTTP header that carries an export's `as_of`: a CSV file has no field for it. */
export const AS_OF_HEADER = 'x-as-of';

const SalesStats = Type.Object(
  {
    total_sales: Amounts(
      'Money kept from orders paid in the period: what was paid less what was refunded, per currency',
    ),
    total_orders: Count('Orders paid in the period and not refunded in full'),
    total_tickets_sold: Count('Tickets of those orders, less the tickets refunded'),
    average_order_value: Amounts('total_sales / total_orders of that currency, rounded to cents'),
    period_start: Timestamp,
    period_end: Timestamp,
  },
  { additionalProperties: false },
);

const UserActivity = Type.Object(
  {
    total_users: Count('Accounts not deleted'),
    active_users: Count('Accounts neither deleted nor deactivated'),
    new_users_this_month: Count('Accounts registered since the start of this calendar month (UTC)'),
    users_with_orders: Count('Accounts with at least one paid order, ever'),
  },
  { additionalProperties: false },
);

const TopEvent = Type.Object(
  {
    event_id: Id,
    event_name: Type.String(),
    total_orders: Count('Paid orders in the period, not refunded in full'),
    tickets_sold: Count('Their tickets, less those refunded'),
    revenue: Amounts('Money kept, per currency'),
  },
  { additionalProperties: false },
);

const RevenueByEvent = Type.Object(
  {
    event_id: Id,
    event_name: Type.String(),
    currency: Currency,
    revenue: Type.Number({ minimum: 0 }),
    percentage: Percentage("The event's share of the period's money kept in this currency"),
  },
  { additionalProperties: false },
);

const PaymentMethodShare = Type.Object(
  {
    payment_method: PaymentMethodSchema,
    currency: Currency,
    count: Count('Paid orders in the period that used this method'),
    total_amount: Type.Number({ minimum: 0 }),
    percentage: Percentage("The method's share of the period's money kept in this currency"),
  },
  { additionalProperties: false },
);

const Totals = Type.Object(
  {
    revenue: Amounts('Money kept from every paid order ever, per currency'),
    refunds: Amounts('Money refunded ever, per currency'),
    total_orders: Count('Paid orders ever, not refunded in full'),
    total_tickets_sold: Count('Their tickets, less those refunded'),
  },
  { additionalProperties: false },
);

export const DashboardSchema = Type.Object(
  {
    sales_stats: SalesStats,
    user_activity: UserActivity,
    top_events: Type.Array(TopEvent, {
      maxItems: 5,
      description: 'The five events selling most tickets in the period',
    }),
    revenue_by_event: Type.Array(RevenueByEvent),
    payment_methods: Type.Array(PaymentMethodShare),
    totals: Totals,
    as_of: AsOf,
  },
  { $id: 'Dashboard', additionalProperties: false },
);
export type Dashboard = Static<typeof DashboardSchema>;

const DailySales = Type.Object(
  {
    date: Type.String({ format: 'date', description: 'A day (UTC)' }),
    currency: Currency,
    revenue: Type.Number({ minimum: 0, description: 'Money kept from the orders paid that day' }),
    orders: Count('Orders paid that day, not refunded in full'),
    tickets_sold: Count('Their tickets, less those refunded'),
    refunds: Type.Number({ minimum: 0, description: 'Money refunded that day, whichever day its order was paid' }),
  },
  { additionalProperties: false },
);

const CurrencySales = Type.Object(
  {
    currency: Currency,
    revenue: Type.Number({ minimum: 0 }),
    orders: Count('Orders paid in the period, not refunded in full'),
    tickets_sold: Count('Their tickets, less those refunded'),
    average_order_value: Type.Number({ minimum: 0 }),
    refunds: Type.Number({ minimum: 0, description: 'Money refunded in the period' }),
  },
  { additionalProperties: false },
);

export const SalesAnalyticsSchema = Type.Object(
  {
    period_start: Timestamp,
    period_end: Timestamp,
    by_currency: Type.Array(CurrencySales),
    daily: Type.Array(DailySales, { description: 'Sales per day and currency, oldest first, for a chart' }),
    as_of: AsOf,
  },
  { $id: 'SalesAnalytics', additionalProperties: false },
);
export type SalesAnalytics = Static<typeof SalesAnalyticsSchema>;

const RefundStats = Type.Object(
  {
    count: Count('Refunds made (a partial refund counts once each)'),
    amounts: Amounts('Money refunded, per currency'),
  },
  { additionalProperties: false },
);

const EventAnalyticsFields = {
  event_id: Id,
  event_name: Type.String(),
  organizer_id: Id,
  date: Timestamp,
  total_revenue: Amounts('Money kept from paid orders, per currency'),
  total_orders: Count('Paid orders not refunded in full'),
  total_tickets_sold: Count('Their tickets, less those refunded'),
  capacity: Count(
    "The ticket types' quantities added up, or the event's own capacity across its types where that is fewer",
  ),
  available_tickets: Count('capacity less tickets sold'),
  capacity_percentage: Percentage('Tickets sold as a share of capacity'),
  checked_in: Count('Tickets admitted at the door and not checked out'),
  refunds: RefundStats,
};

export const EventAnalyticsSchema = Type.Object(EventAnalyticsFields, {
  $id: 'EventAnalytics',
  additionalProperties: false,
});
export type EventAnalytics = Static<typeof EventAnalyticsSchema>;

export const EventAnalyticsDetailSchema = Type.Object(
  {
    ...EventAnalyticsFields,
    sales_per_day: Type.Array(DailySales, { description: 'Sales per day and currency, oldest first, for a chart' }),
    as_of: AsOf,
  },
  { $id: 'EventAnalyticsDetail', additionalProperties: false },
);
export type EventAnalyticsDetail = Static<typeof EventAnalyticsDetailSchema>;

export const ListEventAnalyticsQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
export type ListEventAnalyticsQuery = Static<typeof ListEventAnalyticsQuery>;

/** A page of events' figures, and up to when they are current. */
export const EventAnalyticsPageOf = <T extends TSchema>(item: T) =>
  Type.Object({ ...Page(item).properties, as_of: AsOf }, { additionalProperties: false });
export const EventAnalyticsPage = EventAnalyticsPageOf(EventAnalyticsSchema);
export type EventAnalyticsPage = Static<typeof EventAnalyticsPage>;

/** The largest slice of an export one call answers; the gateway streams slice after slice. */
export const EXPORT_SLICE_MAX = 1000;

/** One slice of an event's CSV export: rows after the id `after`, in id order. */
export const ExportSliceParams = Type.Object(
  {
    id: Id,
    after: Type.Integer({ minimum: 0, maximum: 2147483647, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: EXPORT_SLICE_MAX, default: EXPORT_SLICE_MAX }),
  },
  { additionalProperties: false },
);
export type ExportSliceParams = Static<typeof ExportSliceParams>;

/**
 * CSV text of one slice (the header line with the first), the id to ask the next slice after
 * (null when this was the last), and up to when the read model was current as it was read.
 */
export const CsvSlice = Type.Object(
  {
    content_type: Type.Literal('text/csv'),
    body: Type.String(),
    next_after: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    as_of: AsOf,
  },
  { additionalProperties: false },
);
export type CsvSlice = Static<typeof CsvSlice>;
