import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import helmet, { type HelmetOptions } from 'helmet';
import type { FastifyReply, FastifyRequest } from 'fastify';
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
 * Built once. @fastify/helmet built helmet's middleware again for every request (its CSP
 * directives parsed anew each time): about 5% of the gateway's CPU on a public read.
 */
const setHelmetHeaders = helmet(HELMET_OPTIONS);

/**
 * Helmet's headers on an answer: from the first hook of every request, and on an answer given
 * before any hook ran (fastify's `frameworkErrors`, e.g. a URL that cannot be decoded).
 */
export function addSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  setHelmetHeaders(request.raw, reply.raw, () => undefined);
}

/** Helmet's protective headers and CORS for browser clients on other origins. */
export const securityHeadersPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    app.addHook('onRequest', (request, reply, done) => {
      setHelmetHeaders(request.raw, reply.raw, (err) => done(err as Error | undefined));
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
