import type { FastifyReply, FastifyRequest, HTTPMethods, RouteOptions } from 'fastify';
import { PROBLEM_TYPES, type ProblemSlug } from '@ticketpro/shared';
import type { RouteAuth } from '../plugins/authentication';
import type { LimitHook } from '../plugins/rate-limit';

/** One HTTP route that forwards to one Moleculer action. */
export interface ServiceRoute {
  method: HTTPMethods;
  url: string;
  summary: string;
  /** The rules a client needs beyond the summary, in the OpenAPI document (Markdown). */
  description?: string;
  tags: string[];
  /** `true`: needs a valid access token (401 without); `'optional'`: public, caller passed along when known. */
  auth: RouteAuth;
  action: string;
  /** Success status; with 204 the action's answer is dropped. */
  status: 200 | 201 | 204;
  /** Schema of the success body; it also drops every field it does not list. */
  response?: object;
  body?: object;
  querystring?: object;
  params?: object;
  /** Request headers the route reads (names in lower case); other headers pass unchecked. */
  headers?: object;
  /** Problems the service may answer, beyond those every route of this shape can. */
  problems?: ProblemSlug[];
  /** The action's params from the validated request; by default query, body and path merged. */
  toParams?: (request: FastifyRequest) => object;
  /**
   * Rate limits, from `app.limitRate` and `app.limitFailures`: on arrival, once the body is
   * validated, or (counting) once the answer is sent.
   */
  limits?: { onRequest?: LimitHook[]; preHandler?: LimitHook[]; onResponse?: LimitHook[] };
}

/** A response that is an RFC 9457 problem, documented and serialised as one. */
export function problemResponse(slug: ProblemSlug) {
  return {
    description: PROBLEM_TYPES[slug].title,
    content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
  };
}

// Path parameters win, so a body cannot name another resource than the URL does.
const mergedParams = (request: FastifyRequest) => ({
  ...(request.query as object),
  ...(request.body as object),
  ...(request.params as object),
});

export function serviceRoute(route: ServiceRoute): RouteOptions {
  const { body, querystring, params, headers, limits = {} } = route;
  const problems = new Set<ProblemSlug>(route.problems);
  if (limits.onRequest?.length || limits.preHandler?.length) problems.add('rate-limited');
  if (route.auth === true) problems.add('unauthorized');
  // The per-user limit on changes (write-limit.ts).
  if (route.auth === true && route.method !== 'GET') problems.add('rate-limited');
  if (body) ['bad-request', 'payload-too-large', 'unsupported-media-type'].forEach((s) => problems.add(s as ProblemSlug));
  if (body || querystring || params || headers) problems.add('validation-error');
  problems.add('internal').add('service-unavailable');

  const toParams = route.toParams ?? mergedParams;
  return {
    method: route.method,
    url: route.url,
    config: { auth: route.auth },
    schema: {
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      ...(body ? { body } : {}),
      ...(querystring ? { querystring } : {}),
      ...(params ? { params } : {}),
      ...(headers ? { headers } : {}),
      response: {
        [route.status]: route.response ?? { description: 'No content', type: 'null' },
        ...Object.fromEntries([...problems].map((slug) => [PROBLEM_TYPES[slug].status, problemResponse(slug)])),
      },
    },
    onRequest: limits.onRequest,
    preHandler: limits.preHandler,
    onResponse: limits.onResponse,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const result = await request.callService(route.action, toParams(request));
      reply.code(route.status);
      return route.status === 204 ? reply.send() : result;
    },
  };
}
