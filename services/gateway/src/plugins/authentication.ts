import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError, UnauthorizedError, type AuthUser, type Config } from '@ticketpro/shared';
import { verifyAccessToken } from '../auth/access-token';
import { publicKeysFrom } from '../auth/public-keys';
import { VerifiedTokens } from '../auth/verified-tokens';

/**
 * How a route treats `Authorization: Bearer <jwt>`. `true`: a valid access token is required
 * (401 without). `'optional'`: a public route that passes a valid token's user along, so the
 * service knows who asks; a missing or bad token leaves the call anonymous. `false`
 * (or unset): the header is ignored.
 */
export type RouteAuth = boolean | 'optional';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Verifies the bearer token on routes declared with `config.auth`, and puts the verified user
 * on `request.user`. A token identity revoked since it was signed (the account deleted,
 * deactivated or its role changed; the sign-in ended) is refused like an invalid one. Whether
 * the user may do what they ask is for the service to decide.
 */
export const authenticationPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const keys = await publicKeysFrom(config);
    const checks = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
    const revocations = app.tokenRevocations;
    const verifiedTokens = new VerifiedTokens();

    const verify = async (request: FastifyRequest, token: string): Promise<AuthUser> => {
      const fetchJwks = () =>
        request.callService('identity.keys').catch((err: unknown) => {
          request.log.warn({ err }, 'cannot fetch the token signing keys from identity');
          const detail = 'Cannot verify the token right now: the identity service is unavailable';
          throw new ProblemError('service-unavailable', detail);
        });
      let verified = verifiedTokens.get(token);
      if (!verified) {
        verified = await verifyAccessToken(token, keys, checks, fetchJwks);
        verifiedTokens.remember(token, verified);
      }
      if (!revocations.current) {
        throw new ProblemError(
          'service-unavailable',
          'Cannot tell right now whether the token was revoked; try again shortly',
        );
      }
      if (revocations.isRevoked(verified)) throw new UnauthorizedError('Token has been revoked');
      return verified.user;
    };

    /**
     * A public route answers everyone: a token that does not verify (or cannot be verified while
     * identity is away) only means the caller is not known.
     */
    const recognize = async (request: FastifyRequest, token: string) => {
      request.user = await verify(request, token).catch((err: unknown) => {
        request.log.debug({ err }, 'token ignored on a public route');
        return null;
      });
    };

    const authenticate = async (request: FastifyRequest, reply: FastifyReply, token: string | undefined) => {
      if (!token) throw new UnauthorizedError('Not authenticated');
      try {
        request.user = await verify(request, token);
      } catch (err) {
        if (err instanceof UnauthorizedError) {
          reply.header('www-authenticate', `Bearer error="invalid_token", error_description="${err.message}"`);
        }
        throw err;
      }
    };

    // `done`, not async: the requests with nothing to verify (routes without auth, public reads
    // without a token) go on without a promise of their own.
    app.addHook('onRequest', (request, reply, done) => {
      const mode = request.routeOptions.config.auth;
      if (mode !== true && mode !== 'optional') return done();
      const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
      if (mode === true) authenticate(request, reply, token).then(() => done(), done);
      else if (token) recognize(request, token).then(() => done(), done);
      else done();
    });
  },
  { name: 'authentication', dependencies: ['service-calls', 'token-revocations'] },
);
