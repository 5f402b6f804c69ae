import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { license, version } from '../../package.json';
import type { RouteAuth } from './authentication';
import { publishedComponents, publishedRouteSchema, publishedSchema } from './published-schemas';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';
const LOGIN_PATH = '/api/v1/auth/login';

/** Both ways to present a token; the OAuth2 one makes Swagger UI's Authorize button log in. */
const AUTHENTICATED: Record<string, string[]>[] = [{ OAuth2PasswordBearer: [] }, { BearerAuth: [] }];
/** The empty requirement lets a client call without a token (OpenAPI's way to say "optional"). */
const OPTIONALLY_AUTHENTICATED: Record<string, string[]>[] = [{}, ...AUTHENTICATED];

function securityFor(auth: RouteAuth | undefined): Record<string, string[]>[] {
  if (auth === true) return AUTHENTICATED;
  if (auth === 'optional') return OPTIONALLY_AUTHENTICATED;
  return [];
}

/**
 * Node's HTTP server (through fastify's client error handler) refuses some requests before any
 * route sees them, whichever route they were meant for. Documented, not validated.
 */
const REFUSED_BEFORE_ROUTING = {
  description:
    'Refused before reaching the API: a request that is not valid HTTP (400), one whose headers and body took ' +
    'longer than HTTP_REQUEST_TIMEOUT_MS to arrive (408), or headers too large (431)',
  type: 'null',
};

interface QuerySchema {
  properties?: Record<string, { default?: unknown }>;
  required?: string[];
}

/**
 * A query parameter with a default may be left out: validation fills the default in before it
 * checks `required`, so to a client it is optional.
 */
function defaultsOptional(schema: QuerySchema): QuerySchema {
  const properties = schema.properties ?? {};
  return { ...schema, required: (schema.required ?? []).filter((name) => properties[name]?.default === undefined) };
}

/**
 * The OpenAPI 3.1 document, generated from the routes' own schemas, and Swagger UI. Must be
 * registered before the routes it describes.
 */
export const openApiPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'TicketPro API',
          version,
          license: { name: license, identifier: license },
          description:
            'Event ticketing: accounts, events, ticket types, orders, tickets and check-in.\n\n' +
            'An access token stops working at once (401, `WWW-Authenticate: Bearer error="invalid_token"`) when its ' +
            'account is deleted, deactivated or changes role, and when its sign-in ends (logout, or its refresh token ' +
            'presented twice): refresh or log in again. A 503 with Retry-After to a valid token means the gateway cannot ' +
            'tell right now whether it was revoked; try again shortly.\n\n' +
            'No text anywhere in a request (query, path, body, field names) may hold a NUL (U+0000) or an unpaired ' +
            'UTF-16 surrogate, and a JSON body must be UTF-8: each is answered 422 naming the field (`(body)` for ' +
            'bytes that are not UTF-8), never stored changed. A list takes `skip` up to 1000000.',
        },
        // Relative to where this document is served: the gateway serving it serves the API.
        servers: [{ url: '/', description: 'The gateway that serves this document' }],
        tags: [
          { name: 'auth', description: 'Registration, login and tokens' },
          { name: 'users', description: 'User accounts' },
          { name: 'events', description: 'Events: public listings, managed by their organizers' },
          { name: 'ticket types', description: "An event's kinds of tickets: price, currency and inventory" },
          { name: 'promo codes', description: "An event's discount codes, managed by its organizer" },
          {
            name: 'waiting list',
            description: 'Queues for sold-out ticket types; units that come back are offered in join order',
          },
          { name: 'orders', description: 'Orders: units held while pending, paid, cancelled, expired or refunded' },
          { name: 'payments', description: "Payment providers' signed callbacks" },
          {
            name: 'tickets',
            description:
              'Tickets: issued once per paid unit, each with a signed code and its QR image; transferred to another owner',
          },
          {
            name: 'validation',
            description:
              'Scanning at the door: validate, check in and out, and the keys and revoked codes to verify codes offline',
          },
          {
            name: 'notifications',
            description: 'Messages sent to people about their orders, tickets and events (admins)',
          },
          {
            name: 'reporting',
            description: 'Dashboards, sales and event analytics, and CSV exports, from a read model fed by events',
          },
          { name: 'operations', description: 'Health, metrics and this document' },
        ],
        components: {
          securitySchemes: {
            OAuth2PasswordBearer: { type: 'oauth2', flows: { password: { tokenUrl: LOGIN_PATH, scopes: {} } } },
            BearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          },
        },
      },
      // Shared schemas keep their `$id` as component name (`#/components/schemas/User`).
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
      // The security requirement follows the flag the authentication hook enforces, so they cannot drift.
      transform: ({ schema, url, route }) => {
        const published = publishedRouteSchema(schema);
        return {
          schema: {
            ...schema,
            ...published,
            response: { ...(published.response as object), '4XX': REFUSED_BEFORE_ROUTING },
            ...(schema.querystring
              ? { querystring: defaultsOptional(publishedSchema(schema.querystring) as QuerySchema) }
              : {}),
            security: securityFor(route.config?.auth),
          },
          url,
        };
      },
      // Options above ask for OpenAPI 3, so the Swagger 2 branch never runs. The document's map
      // of schemas is its own copy, built afresh, so its entries can be replaced.
      transformObject: (document) => {
        if (!('openapiObject' in document)) return document.swaggerObject;
        const schemas = document.openapiObject.components?.schemas;
        if (schemas) Object.assign(schemas, publishedComponents(schemas));
        return document.openapiObject;
      },
    });
    await app.register(swaggerUi, { routePrefix: DOCS_PATH, uiConfig: { persistAuthorization: true } });

    app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
