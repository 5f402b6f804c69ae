import { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  AS_OF_HEADER,
  DashboardSchema,
  EventAnalyticsDetailSchema,
  EventAnalyticsPageOf,
  EventAnalyticsSchema,
  EXPORT_SLICE_MAX,
  IdParams,
  ListEventAnalyticsQuery,
  PeriodQuery,
  SalesAnalyticsSchema,
  type ActionName,
} from '@ticketpro/shared';
import {
  EXAMPLE_ATTENDEES_CSV,
  EXAMPLE_DASHBOARD,
  EXAMPLE_EVENT_ANALYTICS,
  EXAMPLE_EVENT_ANALYTICS_DETAIL,
  EXAMPLE_ORDERS_CSV,
  EXAMPLE_SALES,
  pageExample,
} from './examples';
import { serviceRoute } from './service-route';

const TAGS = ['reporting'];
const CSV = 'text/csv; charset=utf-8';

const AS_OF_NOTE =
  "Reporting answers from its own read model, fed by the other services' events: figures lag the sale by " +
  'the time an event takes to arrive, and `as_of` says up to when they are current. Money is what was paid ' +
  '(orders `completed`, less refunds; pending, cancelled and expired orders never count), summed exactly and ' +
  'per currency: amounts in USD and ZWG are never added together.';

const ORGANIZER_SCOPE =
  "An admin sees every event; an organizer the same figures for their own events only (another organizer's " +
  'event is answered 404); anyone else 403.';

/**
 * `/admin/dashboard` and `/admin/analytics/…`: reporting's figures. The analytics routes serve
 * organizers too, scoped by reporting to their own events (API.md: "admin; organizers for their
 * own events"), so one path answers both and a client need not know two.
 */
export const reportingRoutes: FastifyPluginAsync = async (app) => {
  app.route(
    serviceRoute({
      method: 'GET',
      url: '/dashboard',
      summary: 'The admin dashboard: sales, users, top events, revenue by event and payment method (admins)',
      description:
        `${AS_OF_NOTE}\n\nThe period is the last \`days\` days (default 30): \`sales_stats\`, \`top_events\`, ` +
        '`revenue_by_event` and `payment_methods` count orders paid in it, less what they refunded; `totals` is ' +
        'all time. Percentages are shares within one currency.',
      tags: TAGS,
      auth: true,
      action: 'reporting.dashboard.get',
      status: 200,
      querystring: PeriodQuery,
      examples: { response: EXAMPLE_DASHBOARD },
      response: { ...Type.Ref(DashboardSchema), description: 'The dashboard' },
      problems: ['forbidden'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/analytics/sales',
      summary: 'Sales of the last `days` days, per currency and per day (admins; organizers: their own events)',
      description: `${AS_OF_NOTE}\n\n${ORGANIZER_SCOPE}`,
      tags: TAGS,
      auth: true,
      action: 'reporting.sales.get',
      status: 200,
      querystring: PeriodQuery,
      examples: { response: EXAMPLE_SALES },
      response: { ...Type.Ref(SalesAnalyticsSchema), description: "The period's sales" },
      problems: ['forbidden'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/analytics/events',
      summary: "Every event's figures, latest date first (admins; organizers: their own events)",
      description: `${AS_OF_NOTE}\n\n${ORGANIZER_SCOPE}`,
      tags: TAGS,
      auth: true,
      action: 'reporting.events.list',
      status: 200,
      querystring: ListEventAnalyticsQuery,
      examples: { response: { ...pageExample(EXAMPLE_EVENT_ANALYTICS), as_of: EXAMPLE_DASHBOARD.as_of } },
      response: {
        ...EventAnalyticsPageOf(Type.Ref(EventAnalyticsSchema)),
        description: "A page of events' figures",
      },
      problems: ['forbidden'],
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/analytics/events/:id',
      summary: "One event's figures and its sales per day (admins; the event's organizer)",
      description: `${AS_OF_NOTE}\n\n${ORGANIZER_SCOPE}`,
      tags: TAGS,
      auth: true,
      action: 'reporting.events.get',
      status: 200,
      params: IdParams,
      examples: { response: EXAMPLE_EVENT_ANALYTICS_DETAIL },
      response: { ...Type.Ref(EventAnalyticsDetailSchema), description: "The event's figures" },
      problems: ['forbidden', 'not-found'],
    }),
  );
};

type ExportAction = Extract<ActionName, 'reporting.exports.orders' | 'reporting.exports.attendees'>;

/**
 * Streams an export: the first slice is asked for before anything is sent, so a refusal (403,
 * 404) is still a problem answer; then slice after slice as the client reads, so neither the
 * gateway nor reporting ever holds the whole file. A failure after the first slice can only cut
 * the response short (the status is sent by then).
 */
function streamExport(action: ExportAction, file: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = request.params as { id: number };
    const first = await request.callService(action, { id, after: 0, limit: EXPORT_SLICE_MAX });
    async function* slices() {
      yield first.body;
      for (let after = first.next_after; after !== null;) {
        const next = await request.callService(action, { id, after, limit: EXPORT_SLICE_MAX });
        yield next.body;
        after = next.next_after;
      }
    }
    return reply
      .type(CSV)
      .header('content-disposition', `attachment; filename="event-${id}-${file}.csv"`)
      .header('cache-control', 'private, no-store')
      .header(AS_OF_HEADER, first.as_of)
      .send(Readable.from(slices()));
  };
}

const CSV_NOTE =
  'CSV (RFC 4180, CRLF line ends, the header line first), streamed as it is read. Text that starts with `=`, ' +
  "`+`, `-`, `@`, a tab or a carriage return is prefixed with `'`, so a spreadsheet shows it instead of " +
  `running it as a formula. ${ORGANIZER_SCOPE.replace('figures', 'export')} As of the read model: a sale ` +
  `appears once its events have arrived, and the \`${AS_OF_HEADER}\` header says up to when the file is current ` +
  '(as `as_of` does in the figures).';

/** `/events/{id}/orders.csv` and `/events/{id}/attendees.csv`: reporting's exports, for the event's organizer and admins. */
export const exportRoutes: FastifyPluginAsync = async (app) => {
  const exports = [
    {
      url: '/:id/orders.csv',
      action: 'reporting.exports.orders' as const,
      file: 'orders',
      summary: "The event's orders as CSV (the event's organizer, admins)",
      detail: 'One line per order: its buyer, status, payment method, currency, total, refunded amount and tickets.',
      example: EXAMPLE_ORDERS_CSV,
    },
    {
      url: '/:id/attendees.csv',
      action: 'reporting.exports.attendees' as const,
      file: 'attendees',
      summary: "The event's attendees as CSV: each ticket, its type and holder (the event's organizer, admins)",
      detail:
        'One line per ticket: its type, seat, holder (the buyer, or whom it was transferred to) with name and ' +
        'email, status and when it was checked in.',
      example: EXAMPLE_ATTENDEES_CSV,
    },
  ];
  for (const e of exports) {
    app.route({
      ...serviceRoute({
        method: 'GET',
        url: e.url,
        summary: e.summary,
        description: `${e.detail}\n\n${CSV_NOTE}`,
        tags: TAGS,
        auth: true,
        action: e.action,
        status: 200,
        params: IdParams,
        toParams: (request) => ({ ...(request.params as { id: number }), after: 0, limit: EXPORT_SLICE_MAX }),
        response: {
          description: 'The CSV file',
          headers: {
            [AS_OF_HEADER]: {
              type: 'string',
              format: 'date-time',
              description: 'When the newest event the file holds was recorded, as `as_of` in the figures',
            },
          },
          content: { 'text/csv': { schema: Type.String({ description: 'CSV text' }), example: e.example } },
        },
        problems: ['forbidden', 'not-found'],
      }),
      handler: streamExport(e.action, e.file),
    });
  }
};
