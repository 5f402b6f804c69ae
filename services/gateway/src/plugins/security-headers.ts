import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { Config } from '@ticketpro/shared';
import { REQUEST_ID_HEADER } from './request-id';

/** Helmet's protective headers and CORS for browser clients on other origins. */
export const securityHeadersPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        // Swagger UI is often opened over plain HTTP (locally, on an internal host); upgrading its
        // asset requests to HTTPS would leave it blank there. TLS deployments send HSTS anyway.
        directives: { upgradeInsecureRequests: null },
      },
    });
    await app.register(cors, {
      origin: corsOrigin(config.CORS_ORIGIN),
      exposedHeaders: [REQUEST_ID_HEADER, 'retry-after', 'www-authenticate'],
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
