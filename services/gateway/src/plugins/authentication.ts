import fp from 'fastify-plugin';
import { ProblemError, UnauthorizedError, type Config } from '@ticketpro/shared';
import { verifyAccessToken } from '../auth/access-token';
import { publicKeysFrom } from '../auth/public-keys';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs a valid access token; without one it answers 401. */
    auth?: boolean;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Verifies `Authorization: Bearer <jwt>` on routes declared with `config.auth`, and puts the
 * verified user on `request.user`. Routes without it ignore the header. Whether the user may do
 * what they ask is for the service to decide.
 */
export const authenticationPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const keys = await publicKeysFrom(config);
    const checks = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };

    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.config.auth !== true) return;
      const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
      if (!token) throw new UnauthorizedError('Not authenticated');

      const fetchJwks = () =>
        request.callService('identity.keys').catch((err: unknown) => {
          request.log.warn({ err }, 'cannot fetch the token signing keys from identity');
          const detail = 'Cannot verify the token right now: the identity service is unavailable';
          throw new ProblemError('service-unavailable', detail);
        });
      try {
        request.user = await verifyAccessToken(token, keys, checks, fetchJwks);
      } catch (err) {
        if (err instanceof UnauthorizedError) {
          reply.header('www-authenticate', `Bearer error="invalid_token", error_description="${err.message}"`);
        }
        throw err;
      }
    });
  },
  { name: 'authentication', dependencies: ['service-calls'] },
);
