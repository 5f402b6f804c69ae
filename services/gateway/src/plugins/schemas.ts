import fp from 'fastify-plugin';
import {
  EventSchema,
  EventSummarySchema,
  NotificationSchema,
  DashboardSchema,
  SalesAnalyticsSchema,
  EventAnalyticsSchema,
  EventAnalyticsDetailSchema,
  OrderSchema,
  PaymentTransactionSchema,
  OrganizerSchema,
  ProblemSchema,
  PromoCodeSchema,
  TicketKeysSchema,
  TicketOwnersSchema,
  TransferSchema,
  RevocationsSchema,
  TicketSchema,
  TicketTypeSchema,
  TokenSchema,
  UserSchema,
  ValidationResultSchema,
  WaitlistEntrySchema,
  WaitlistPositionSchema,
  createAjv,
  withWellFormedText,
} from '@ticketpro/shared';

/**
 * Schemas routes refer to by `$id`; they become named components of the OpenAPI document.
 * Event and EventSummary refer to Organizer and TicketType, so those come first.
 */
const SHARED_SCHEMAS = [
  ProblemSchema,
  TokenSchema,
  UserSchema,
  OrganizerSchema,
  TicketTypeSchema,
  EventSchema,
  EventSummarySchema,
  PromoCodeSchema,
  OrderSchema,
  PaymentTransactionSchema,
  TicketSchema,
  ValidationResultSchema,
  TicketKeysSchema,
  TicketOwnersSchema,
  TransferSchema,
  RevocationsSchema,
  NotificationSchema,
  WaitlistPositionSchema,
  WaitlistEntrySchema,
  DashboardSchema,
  SalesAnalyticsSchema,
  EventAnalyticsSchema,
  EventAnalyticsDetailSchema,
];

/**
 * Request validation with the system's one ajv dialect. Bodies are JSON and must arrive with
 * the right types (`"5"` is not a number); query strings and paths are text, so they are
 * coerced. No string anywhere in a request may hold a NUL or an unpaired surrogate (422).
 */
export const schemasPlugin = fp(
  async (app) => {
    for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

    const strict = createAjv({ coerce: false });
    const coercing = createAjv({ coerce: true });
    for (const ajv of [strict, coercing]) for (const schema of SHARED_SCHEMAS) ajv.addSchema(schema);

    app.setValidatorCompiler(({ schema, httpPart }) =>
      withWellFormedText((httpPart === 'body' ? strict : coercing).compile(schema)),
    );
  },
  { name: 'schemas' },
);
