import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { problem, problemFromError, sendProblem } from '../problem';
import { REQUEST_ID_HEADER } from './request-id';
import { addSecurityHeaders } from './security-headers';

/** Every error and every unknown route answers `application/problem+json`, never a stack trace. */
export const problemResponsesPlugin = fp(
  async (app) => {
    app.setErrorHandler((error, request, reply) => {
      const { problem: p, cause } = problemFromError(error);
      if (cause === 'internal') request.log.error({ err: error }, 'request failed');
      else if (cause === 'unavailable') request.log.warn({ err: error }, 'backing service unavailable');
      return sendProblem(request, reply, p);
    });

    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        request,
        reply,
        problem('not-found', `No route for ${request.method} ${request.url.split('?', 1)[0]}`),
      ),
    );
  },
  { name: 'problem-responses' },
);

/**
 * Fastify's `frameworkErrors`: errors raised while routing (an undecodable URL), before any
 * hook runs, so the request id and the security headers are added here.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header(REQUEST_ID_HEADER, request.id);
  addSecurityHeaders(reply);
  sendProblem(request, reply, problemFromError(error).problem);
}
