import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { FastifyReply } from 'fastify';
import { AS_OF_HEADER, type Config } from '@ticketpro/shared';
import { REQUEST_ID_HEADER } from './request-id';

const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    // Swagger UI is often opened over plain HTTP (locally, on an internal host); upgrading its
    // asset requests to HTTPS would leave it blank there. TLS deployments send HSTS anyway.
    directives: { upgradeInsecureRequests: null },
  },
};

/**
 * The headers a helmet middleware sets, read once by running it against a response that only
 * records them. With these options they depend on nothing in the request (no CSP nonce).
 */
function headersSetBy(middleware: ReturnType<typeof helmet>): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    // X-Powered-By, which nothing here sets.
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw new Error('helmet refused its options', { cause: err });
  });
  return headers;
}

/**
 * Helmet's headers, computed once at start and given to each answer through the reply (written
 * with its status line), rather than helmet's thirteen middlewares setting them one by one on
 * every request: about 3% of the gateway's CPU on a checkout (docs/PERFORMANCE.md, issue 14
 * fifth pass). (@fastify/helmet used to build the middlewares themselves again per request.)
 */
const HELMET_HEADERS = headersSetBy(helmet(HELMET_OPTIONS));

/**
 * Helmet's headers on an answer: from the first hook of every request, and on an answer given
 * before any hook ran (fastify's `frameworkErrors`, e.g. a URL that cannot be decoded).
 */
export function addSecurityHeaders(reply: FastifyReply): void {
  reply.headers(HELMET_HEADERS);
}

/** Helmet's protective headers and CORS for browser clients on other origins. */
export const securityHeadersPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    app.addHook('onRequest', (_request, reply, done) => {
      addSecurityHeaders(reply);
      done();
    });
    await app.register(cors, {
      origin: corsOrigin(config.CORS_ORIGIN),
      // Every method the API routes, and the request headers its clients send.
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', REQUEST_ID_HEADER],
      exposedHeaders: [REQUEST_ID_HEADER, 'retry-after', 'www-authenticate', AS_OF_HEADER],
    });
  },
  { name: 'security-headers' },
);

/** `*`, or a comma-separated list of allowed origins. */
function corsOrigin(setting: string): string | string[] {
  if (setting.trim() === '*') return '*';
  return setting
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}
