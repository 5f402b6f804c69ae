import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  PROBLEM_TYPES,
  PROBLEM_TYPE_PREFIX,
  formatAjvErrors,
  isProblemSlug,
  type FieldError,
  type ProblemSlug,
} from '@ticketpro/shared';

/** An RFC 9457 problem before it is rendered for one request. */
export interface Problem {
  slug: ProblemSlug;
  status: number;
  detail: string;
  errors?: FieldError[];
  /** Extension members a service attached on purpose (e.g. the first `validated_at` of a ticket). */
  extensions?: Record<string, unknown>;
}

/** How an error came about, which decides how loudly it is logged. */
export type ErrorCause = 'client' | 'unavailable' | 'internal';

export interface MappedError {
  problem: Problem;
  cause: ErrorCause;
}

/**
 * Moleculer errors that mean no service instance answered. Checked by name before anything
 * else: Moleculer gives some of them code 404 or 429, which must not reach the client as such.
 */
const UNAVAILABLE_ERRORS = new Set([
  'ServiceNotFoundError',
  'ServiceNotAvailableError',
  'RequestTimeoutError',
  'RequestSkippedError',
  'RequestRejectedError',
  'BrokerDisconnectedError',
  'QueueIsFullError',
]);

/** Seconds a client should wait after a 503 before trying again. */
export const RETRY_AFTER_SECONDS = 5;

const RESERVED_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'errors']);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  type?: unknown;
  data?: unknown;
  statusCode?: unknown;
  validation?: Parameters<typeof formatAjvErrors>[0];
  validationContext?: string;
}

export function isServiceUnavailable(err: unknown): boolean {
  return UNAVAILABLE_ERRORS.has(String((err as ErrorLike | null)?.name));
}

export function problem(slug: ProblemSlug, detail: string, errors?: FieldError[]): Problem {
  return { slug, status: PROBLEM_TYPES[slug].status, detail, ...(errors ? { errors } : {}) };
}

/** A 422 whose detail names the fields and the rules they broke: `Invalid query string: limit must be <= 100`. */
function invalid(part: string, errors: FieldError[]): Problem {
  return problem(
    'validation-error',
    `Invalid ${part}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
    errors,
  );
}

/** Turns anything a route, a hook or a service threw into the problem the client gets. */
export function problemFromError(error: unknown): MappedError {
  const err = (error ?? {}) as ErrorLike;

  if (isServiceUnavailable(err)) {
    const detail = 'A backing service is unavailable; try again shortly';
    return { cause: 'unavailable', problem: problem('service-unavailable', detail) };
  }
  if (Array.isArray(err.validation)) {
    const errors = formatAjvErrors(err.validation);
    const part = PART_NAMES[err.validationContext ?? ''] ?? 'request';
    return { cause: 'client', problem: invalid(part, errors) };
  }
  if (isProblemError(err)) return fromProblemError(err);
  if (err.name === 'ValidationError' && err.type === 'VALIDATION_ERROR' && Array.isArray(err.data)) {
    const errors = fieldErrors(err.data);
    return { cause: 'client', problem: invalid('request', errors) };
  }
  const frameworkProblem = fromFrameworkError(err);
  if (frameworkProblem) return { cause: 'client', problem: frameworkProblem };
  return { cause: 'internal', problem: problem('internal', 'An unexpected error occurred; it has been logged') };
}

const PART_NAMES: Record<string, string> = {
  body: 'request body',
  querystring: 'query string',
  params: 'path parameters',
  headers: 'headers',
};

/** A `ProblemError` thrown here or by a service; after a NATS hop only its fields are left. */
function isProblemError(err: ErrorLike): err is ErrorLike & { code: number; type: ProblemSlug } {
  return typeof err.code === 'number' && err.code >= 400 && err.code <= 599 && isProblemSlug(err.type);
}

function fromProblemError(err: ErrorLike & { code: number; type: ProblemSlug }): MappedError {
  const data = isPlainObject(err.data) ? err.data : {};
  const extensions = Object.fromEntries(Object.entries(data).filter(([key]) => !RESERVED_MEMBERS.has(key)));
  const detail = typeof err.message === 'string' && err.message ? err.message : PROBLEM_TYPES[err.type].title;
  return {
    cause: err.code >= 500 ? (err.code === 503 ? 'unavailable' : 'internal') : 'client',
    problem: {
      slug: err.type,
      status: err.code,
      detail,
      ...(Array.isArray(data.errors) ? { errors: fieldErrors(data.errors) } : {}),
      ...(Object.keys(extensions).length > 0 ? { extensions } : {}),
    },
  };
}

/** Fastify's own client errors (unparsable body, wrong content type, bad URL…) keep their status. */
function fromFrameworkError(err: ErrorLike): Problem | undefined {
  const status = err.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  switch (err.code) {
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('bad-request', 'The request body is empty but its content type is application/json');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem('unsupported-media-type', 'Unsupported content type; send application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('payload-too-large', 'The request body is too large');
  }
  // The JSON parser throws a SyntaxError whose message quotes the body; say it plainly instead.
  if (err.name === 'SyntaxError') return problem('bad-request', 'The request body is not valid JSON');
  const slug = (Object.keys(PROBLEM_TYPES) as ProblemSlug[]).find((s) => PROBLEM_TYPES[s].status === status);
  return problem(slug ?? 'bad-request', typeof err.message === 'string' ? err.message : 'Bad request');
}

function fieldErrors(items: unknown[]): FieldError[] {
  // Validation errors carry strings here; String() keeps a stray non-string readable rather than dropping it.
  /* eslint-disable @typescript-eslint/no-base-to-string */
  return items.filter(isPlainObject).map((item) => ({
    field: String(item.field ?? '(body)'),
    message: String(item.message ?? 'is invalid'),
  }));
  /* eslint-enable @typescript-eslint/no-base-to-string */
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sends `problem` as `application/problem+json`, with the headers its status calls for:
 * `WWW-Authenticate` on 401 (unless the authentication hook set a more precise challenge) and
 * `Retry-After` on 503 (unless the load shedder or the rate limiter already said how long).
 */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, p: Problem): FastifyReply {
  if (p.status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Bearer');
  if (p.status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', RETRY_AFTER_SECONDS);
  return reply
    .code(p.status)
    .type('application/problem+json')
    .send(problemBody(p, request.url.split('?', 1)[0]));
}

/** `problem` as the `application/problem+json` body of the answer to a request for `instance` (its path). */
export function problemBody(p: Problem, instance: string): Record<string, unknown> {
  return {
    ...p.extensions,
    type: `${PROBLEM_TYPE_PREFIX}${p.slug}`,
    title: PROBLEM_TYPES[p.slug].title,
    status: p.status,
    detail: p.detail,
    instance,
    ...(p.errors ? { errors: p.errors } : {}),
  };
}
