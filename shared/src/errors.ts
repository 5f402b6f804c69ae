import { Errors } from 'moleculer';
import type { FieldError } from './validation';

/**
 * Problem kinds (RFC 9457 `type`), each with its HTTP status. Services throw these through
 * Moleculer; the error's `code` (the status) and `type` (the slug) survive the NATS hop, and
 * the gateway turns them into `application/problem+json`.
 */
export const PROBLEM_TYPES = {
  'bad-request': { status: 400, title: 'Bad Request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not Found' },
  conflict: { status: 409, title: 'Conflict' },
  'payload-too-large': { status: 413, title: 'Content Too Large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported Media Type' },
  'validation-error': { status: 422, title: 'Unprocessable Content' },
  'rate-limited': { status: 429, title: 'Too Many Requests' },
  internal: { status: 500, title: 'Internal Server Error' },
  'service-unavailable': { status: 503, title: 'Service Unavailable' },
} as const;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export const PROBLEM_TYPE_PREFIX = 'urn:ticketpro:problem:';

export interface ProblemData {
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class ProblemError extends Errors.MoleculerError {
  constructor(slug: ProblemSlug, detail: string, data?: ProblemData) {
    super(detail, PROBLEM_TYPES[slug].status, slug, data);
    this.name = 'ProblemError';
  }
}

export class BadRequestError extends ProblemError {
  constructor(detail: string) {
    super('bad-request', detail);
  }
}

export class UnauthorizedError extends ProblemError {
  constructor(detail = 'Not authenticated') {
    super('unauthorized', detail);
  }
}

export class ForbiddenError extends ProblemError {
  constructor(detail = 'You are not allowed to do this') {
    super('forbidden', detail);
  }
}

export class NotFoundError extends ProblemError {
  constructor(detail = 'Not found') {
    super('not-found', detail);
  }
}

export class ConflictError extends ProblemError {
  constructor(detail: string, extensions?: Omit<ProblemData, 'errors'>) {
    super('conflict', detail, extensions);
  }
}

export class UnprocessableError extends ProblemError {
  constructor(detail: string, errors: FieldError[] = []) {
    super('validation-error', detail, { errors });
  }
}

export function isProblemSlug(value: unknown): value is ProblemSlug {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PROBLEM_TYPES, value);
}

/** True for Postgres' unique_violation, so a racing duplicate becomes a 409 rather than a 500. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  return isPostgresError(err, '23505', constraint);
}

/** True for Postgres' check_violation, so a rule the database enforces becomes a 4xx rather than a 500. */
export function isCheckViolation(err: unknown, constraint?: string): boolean {
  return isPostgresError(err, '23514', constraint);
}

/** True for an error Postgres raised with this SQLSTATE (one a statement raises itself, among others). */
export function hasSqlState(err: unknown, sqlState: string): boolean {
  return isPostgresError(err, sqlState, undefined);
}

function isPostgresError(err: unknown, sqlState: string, constraint: string | undefined): boolean {
  const e = err as { code?: string; constraint?: string; nativeError?: { code?: string; constraint?: string } };
  const code = e?.code ?? e?.nativeError?.code;
  const name = e?.constraint ?? e?.nativeError?.constraint;
  return code === sqlState && (constraint === undefined || name === constraint);
}

/**
 * SQLSTATEs that say the database could not do the work now, not that the request or the code is
 * wrong: asked again later, the same statement may well succeed. By class: 08 connection
 * exception, 53 insufficient resources (53300 too_many_connections); and one by one: 57P01–57P03
 * (the server is shutting down or starting), 57014 (statement_timeout), 55P03 (lock_timeout),
 * 40001 and 40P01 (a serialization failure or deadlock that outlasted the retries around it).
 */
const TRANSIENT_SQL_CLASSES = ['08', '53'];
const TRANSIENT_SQL_STATES = new Set(['57P01', '57P02', '57P03', '57014', '55P03', '40001', '40P01']);

/** Socket errors of a database (or any dependency) that cannot be reached at the moment. */
const UNREACHABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/**
 * True when `err` is the database or the connection to it giving up under load or while
 * restarting: Postgres' transient SQLSTATEs, an unreachable server, knex's pool finding no free
 * connection in time (`KnexTimeoutError`), or pg's connection dropping mid-statement.
 */
export function isTransientInfrastructureError(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown; message?: unknown; nativeError?: { code?: unknown } } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'KnexTimeoutError') return true;
  const code = e.code ?? e.nativeError?.code;
  if (typeof code === 'string') {
    if (UNREACHABLE_ERRNOS.has(code) || TRANSIENT_SQL_STATES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && TRANSIENT_SQL_CLASSES.includes(code.slice(0, 2))) return true;
  }
  // pg's own words when the server closes the socket under a query; it sets no code.
  return typeof e.message === 'string' && e.message.startsWith('Connection terminated');
}

/**
 * What an action's caller gets for `err`: a transient infrastructure failure becomes a 503
 * `service-unavailable` problem (the gateway adds Retry-After); anything else is passed on as it
 * is. The original is not attached: it would travel to the caller with its SQL and its stack.
 */
export function asRetryableProblem(err: unknown): unknown {
  return isTransientInfrastructureError(err)
    ? new ProblemError('service-unavailable', 'The service is overloaded; try again shortly')
    : err;
}
