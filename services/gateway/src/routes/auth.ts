import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { Type } from '@sinclair/typebox';
import { LoginBody, RefreshBody, RegisterBody, TokenSchema, UserSchema, type Config } from '@ticketpro/shared';
import { EXAMPLE_REGISTRATION, EXAMPLE_TOKEN, EXAMPLE_USER } from './examples';
import { serviceRoute } from './service-route';

const TAGS = ['auth'];
const token = (description: string) => ({ ...Type.Ref(TokenSchema), description });
// Each limit counts in a store of its own, so the keys need no prefix.
const byIp = (request: FastifyRequest) => request.ip;

/**
 * The account a login names, from this address. Keyed on both, so that failures from one
 * address cannot lock the account's owner out elsewhere.
 */
const byAccountAndIp = (request: FastifyRequest) => {
  const body = request.body as LoginBody;
  return JSON.stringify([(body.email ?? body.username ?? '').trim().toLowerCase(), request.ip]);
};

/**
 * How long failed logins for one account from one address are remembered: long enough that
 * guessing one password stays slow (`RATE_LIMIT_LOGIN_FAILURES` per 15 minutes, where the
 * per-address limit alone would allow `RATE_LIMIT_LOGIN` a minute).
 */
export const LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60;

/** `/auth`: registration, login (JSON, or the OAuth2 password-flow form), refresh, logout, me. */
export const authRoutes: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  // Answers here carry tokens or the account: no cache, shared or private, may keep them
  // (RFC 6749 §5.1; Pragma for HTTP/1.0 caches).
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  });

  app.route(
    serviceRoute({
      method: 'POST',
      url: '/register',
      summary: 'Create an account (role user or organizer) and log in',
      description:
        'Limited to RATE_LIMIT_REGISTER registrations per hour per client address (429 with Retry-After beyond). ' +
        'Only bodies that pass validation count: a typo is answered 422 and uses up nothing.',
      tags: TAGS,
      auth: false,
      action: 'identity.register',
      examples: { request: EXAMPLE_REGISTRATION, response: EXAMPLE_TOKEN },
      status: 201,
      body: RegisterBody,
      response: token('The new account is logged in'),
      problems: ['conflict'],
      limits: {
        // Once the body is valid: a typo answered 422 does not use up the address's allowance.
        preHandler: app.limitRate({
          max: config.RATE_LIMIT_REGISTER,
          timeWindow: '1 hour',
          what: 'registrations',
          key: byIp,
        }),
      },
    }),
  );

  // Only login takes the OAuth2 form, so the form parser lives in a context of its own.
  await app.register(async (form) => {
    await form.register(formbody);
    const perAddress = form.limitRate({
      max: config.RATE_LIMIT_LOGIN,
      timeWindow: '1 minute',
      what: 'login attempts',
      key: byIp,
    });
    // Only wrong passwords count: a user's own successful logins never lock them out.
    const failures = form.limitFailures({
      max: config.RATE_LIMIT_LOGIN_FAILURES,
      windowSeconds: LOGIN_FAILURE_WINDOW_SECONDS,
      what: 'failed logins for this account from your address',
      key: byAccountAndIp,
      failed: (reply) => reply.statusCode === 401,
    });
    form.route(
      serviceRoute({
        method: 'POST',
        url: '/login',
        summary: 'Log in with email (or username) and password',
        description:
          'Limited to RATE_LIMIT_LOGIN attempts per minute per client address, and to RATE_LIMIT_LOGIN_FAILURES ' +
          'failed attempts per 15 minutes per account and address together (429 with Retry-After beyond). ' +
          "Successful logins never count against the account, and failures from one address do not lock the account's owner out elsewhere.",
        tags: TAGS,
        auth: false,
        action: 'identity.login',
        examples: {
          request: { email: EXAMPLE_USER.email, password: EXAMPLE_REGISTRATION.password },
          response: EXAMPLE_TOKEN,
        },
        status: 200,
        body: {
          content: {
            'application/json': { schema: LoginBody },
            'application/x-www-form-urlencoded': { schema: LoginBody },
          },
        },
        response: token('An access and refresh token pair'),
        problems: ['unauthorized'],
        toParams: (request) => {
          const body = request.body as LoginBody;
          // The schema asks for one of the two.
          return { email: (body.email ?? body.username) as string, password: body.password };
        },
        limits: {
          onRequest: perAddress,
          // After validation, so the account is read from a body known to be well-formed.
          preHandler: failures.refuse,
          onResponse: failures.count,
        },
      }),
    );
  });

  app.route(
    serviceRoute({
      method: 'POST',
      url: '/refresh',
      summary: 'Trade a refresh token for a new token pair (the old one is used up)',
      description:
        'The refresh token is used up by this call: presenting it again later ends the whole sign-in (every token of it is revoked), as a stolen copy would. Limited to RATE_LIMIT_REFRESH refreshes per minute per client address.',
      tags: TAGS,
      auth: false,
      action: 'identity.refresh',
      examples: { request: { refresh_token: EXAMPLE_TOKEN.refresh_token }, response: EXAMPLE_TOKEN },
      status: 200,
      body: RefreshBody,
      response: token('A new access and refresh token pair'),
      problems: ['unauthorized'],
      limits: {
        onRequest: app.limitRate({
          max: config.RATE_LIMIT_REFRESH,
          timeWindow: '1 minute',
          what: 'token refreshes',
          key: byIp,
        }),
      },
    }),
  );

  app.route(
    serviceRoute({
      method: 'POST',
      url: '/logout',
      summary: 'Revoke a refresh token',
      description:
        'Ends the sign-in the refresh token belongs to: the refresh token is revoked, and the access tokens of that sign-in stop working at once.',
      tags: TAGS,
      auth: false,
      action: 'identity.logout',
      examples: { request: { refresh_token: EXAMPLE_TOKEN.refresh_token } },
      status: 204,
      body: RefreshBody,
    }),
  );

  app.route(
    serviceRoute({
      method: 'GET',
      url: '/me',
      summary: 'The authenticated user',
      description:
        'The account the access token was issued to, as it is now (a role changed since the token was issued ends the token instead).',
      tags: TAGS,
      auth: true,
      action: 'identity.me',
      examples: { response: EXAMPLE_USER },
      status: 200,
      response: { ...Type.Ref(UserSchema), description: 'The authenticated user' },
      toParams: () => ({}),
    }),
  );
};
