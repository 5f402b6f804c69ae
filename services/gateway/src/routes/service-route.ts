import type { FastifyReply, FastifyRequest, HTTPMethods, RouteOptions } from 'fastify';
import type { Static, TSchema } from '@sinclair/typebox';
import { PROBLEM_TYPES, type ActionName, type ParamsOf, type ProblemSlug, type ResultOf } from '@ticketpro/shared';
import type { RouteAuth } from '../plugins/authentication';
import { problem, problemBody } from '../problem';
import type { LimitHook } from '../plugins/rate-limit';

type StaticOf<S> = S extends TSchema ? Static<S> : {};

/**
 * Compiles only where the route's success body can be what the action answers: every field the
 * response schema promises is in the action's result, of the same type (fields the result has
 * beyond it are dropped by the schema). A response that is not a schema (an image) is not checked.
 */
type AnswerFits<A extends ActionName, R> = R extends TSchema
  ? ResultOf<A> extends Static<R>
    ? unknown
    : `the response schema does not fit what ${A} answers`
  : unknown;

type SameKeys<X, Y> = [keyof X] extends [keyof Y] ? ([keyof Y] extends [keyof X] ? true : false) : false;

/**
 * How the action's params come from the request: by default query, body and path merged, which
 * must then give exactly the action's params (the same fields, of types it takes); otherwise the
 * route says how (`toParams`).
 */
type ParamsFromRequest<A extends ActionName, Q, B, P> = [StaticOf<Q> & StaticOf<B> & StaticOf<P>] extends [ParamsOf<A>]
  ? SameKeys<StaticOf<Q> & StaticOf<B> & StaticOf<P>, ParamsOf<A>> extends true
    ? { toParams?: (request: FastifyRequest) => ParamsOf<A> }
    : { toParams: (request: FastifyRequest) => ParamsOf<A> }
  : { toParams: (request: FastifyRequest) => ParamsOf<A> };

/** One HTTP route that forwards to one action of a service's contract. */
export interface ServiceRoute<A extends ActionName, R, Q, B, P> {
  method: HTTPMethods;
  url: string;
  summary: string;
  /** The rules a client needs beyond the summary, in the OpenAPI document (Markdown). */
  description?: string;
  tags: string[];
  /** `true`: needs a valid access token (401 without); `'optional'`: public, caller passed along when known. */
  auth: RouteAuth;
  /** The action by its full name, as its service's contract has it. */
  action: A;
  /** Success status; with 204 the action's answer is dropped. */
  status: 200 | 201 | 202 | 204;
  /** Schema of the success body; it also drops every field it does not list. */
  response?: R & NoInfer<AnswerFits<A, R>>;
  body?: B;
  querystring?: Q;
  params?: P;
  /** Request headers the route reads (names in lower case); other headers pass unchecked. */
  headers?: object;
  /**
   * When the action's answer means "taken, not finished" (a payment awaited at its provider):
   * answered 202 with the same body, documented with this description.
   */
  accepted?: { when: (result: ResultOf<A>) => boolean; description: string; example?: StaticOf<R> };
  /**
   * A body a client may send and what it gets back, shown in the OpenAPI document (a test checks
   * both against their schemas); a response that is not a schema (an image) carries its own.
   */
  examples?: { request?: StaticOf<B>; response?: StaticOf<R> };
  /** Problems the service may answer, beyond those every route of this shape can. */
  problems?: ProblemSlug[];
  /**
   * Rate limits, from `app.limitRate` and `app.limitFailures`: on arrival, once the body is
   * validated, or (counting) once the answer is sent.
   */
  limits?: { onRequest?: LimitHook[]; preHandler?: LimitHook[]; onResponse?: LimitHook[] };
}

/** A response that is an RFC 9457 problem, documented and serialised as one, with an example. */
export function problemResponse(slug: ProblemSlug) {
  const errors = slug === 'validation-error' ? [{ field: 'id', message: 'must be >= 1' }] : undefined;
  const example = problemBody(problem(slug, PROBLEM_EXAMPLE_DETAILS[slug], errors), '/api/v1/events/42');
  return {
    description: PROBLEM_TYPES[slug].title,
    content: { 'application/problem+json': { schema: { $ref: 'Problem#' }, example } },
  };
}

/** What each problem's `detail` may say, for the document's examples. */
const PROBLEM_EXAMPLE_DETAILS: Record<ProblemSlug, string> = {
  'bad-request': 'Body is not valid JSON',
  unauthorized: 'Not authenticated',
  forbidden: 'You are not allowed to do this',
  'not-found': 'Event 42 not found',
  conflict: 'The request conflicts with the current state of the resource',
  'payload-too-large': 'Request body is too large',
  'unsupported-media-type': 'Unsupported Media Type: text/plain',
  'validation-error': 'Invalid path parameters: id must be >= 1',
  'rate-limited': 'Too many requests: try again in 60 seconds',
  internal: 'Internal Server Error',
  'service-unavailable': 'A backing service is unavailable; try again shortly',
};

/**
 * The operationId of a route that forwards to `action`: the action's name in camelCase
 * (`ordering.orders.refund` is `orderingOrdersRefund`), so a generated client's method names
 * change only when the contract does.
 */
export function operationIdOf(action: ActionName): string {
  return action.replace(/\.(\w)/g, (_dot, first: string) => first.toUpperCase());
}

/** `schema` with `example` as its one example; fastify-swagger shows it on the schema's media type. */
function withExample(schema: object, example: unknown): object {
  if (example === undefined) return schema;
  if (!('content' in schema)) return { ...schema, examples: [example] };
  const content = Object.entries(schema.content as Record<string, { schema: object }>).map(([type, media]) => [
    type,
    { ...media, schema: withExample(media.schema, example) },
  ]);
  return { ...schema, content: Object.fromEntries(content) };
}

// Path parameters win, so a body cannot name another resource than the URL does.
const mergedParams = (request: FastifyRequest) => ({
  ...(request.query as object),
  ...(request.body as object),
  ...(request.params as object),
});

export function serviceRoute<A extends ActionName, R = undefined, Q = undefined, B = undefined, P = undefined>(
  route: ServiceRoute<A, R, Q, B, P> & ParamsFromRequest<A, Q, B, P>,
): RouteOptions {
  const { body, querystring, params, headers, limits = {}, examples = {} } = route;
  const problems = new Set<ProblemSlug>(route.problems);
  if (limits.onRequest?.length || limits.preHandler?.length) problems.add('rate-limited');
  if (route.auth === true) problems.add('unauthorized');
  // The per-user limit on changes (write-limit.ts).
  if (route.auth === true && route.method !== 'GET') problems.add('rate-limited');
  if (body)
    ['bad-request', 'payload-too-large', 'unsupported-media-type'].forEach((s) => problems.add(s as ProblemSlug));
  if (body || querystring || params || headers) problems.add('validation-error');
  problems.add('internal').add('service-unavailable');

  const toParams = (route.toParams ?? mergedParams) as (request: FastifyRequest) => ParamsOf<A>;
  return {
    method: route.method,
    url: route.url,
    config: { auth: route.auth },
    schema: {
      operationId: operationIdOf(route.action),
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      ...(body ? { body: withExample(body, examples.request) } : {}),
      ...(querystring ? { querystring } : {}),
      ...(params ? { params } : {}),
      ...(headers ? { headers } : {}),
      response: {
        [route.status]: route.response
          ? withExample(route.response, examples.response)
          : { description: 'No content', type: 'null' },
        ...(route.accepted
          ? {
              202: withExample(
                { ...(route.response as object), description: route.accepted.description },
                route.accepted.example,
              ),
            }
          : {}),
        ...Object.fromEntries([...problems].map((slug) => [PROBLEM_TYPES[slug].status, problemResponse(slug)])),
      },
    },
    onRequest: limits.onRequest,
    preHandler: limits.preHandler,
    onResponse: limits.onResponse,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const result = await request.callService(route.action, toParams(request));
      reply.code(route.accepted?.when(result) ? 202 : route.status);
      return route.status === 204 ? reply.send() : result;
    },
  };
}
