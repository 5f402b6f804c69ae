import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * One ajv configuration for the whole system, so that the gateway's route schemas and the
 * services' action params speak the same JSON Schema dialect. Bodies are validated without
 * coercion (a string is not a number); query strings and paths with it.
 */
export function createAjv(options: { coerce: boolean }): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: options.coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
    // Keeps parentSchema on errors, so a schema's `errorMessage` can name the rule that failed.
    verbose: true,
    // `multipleOf: 0.01` on money: compare with a tolerance instead of binary-float division.
    multipleOfPrecision: 6,
  });
  addFormats(ajv);
  return ajv;
}

/** Turns ajv's errors into the `errors[]` of a 422 problem: one entry per field. */
export function formatAjvErrors(errors: ErrorObject[]): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of errors) {
    // A union reports each failed branch and then a summary; the summary is enough.
    if (/\/(anyOf|oneOf)\/\d+\//.test(error.schemaPath) || error.keyword === 'if') continue;
    const base = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    let field = base;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      field = base ? `${base}.${missing}` : missing;
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      field = base ? `${base}.${extra}` : extra;
      message = 'is not allowed';
    } else if (typeof error.parentSchema?.errorMessage === 'string') {
      message = error.parentSchema.errorMessage;
    } else if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
      const branches = (error.parentSchema?.[error.keyword] ?? []) as { const?: unknown }[];
      if (branches.length > 0 && branches.every((b) => 'const' in b)) {
        message = `must be one of: ${branches.map((b) => String(b.const)).join(', ')}`;
      }
    }
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field: field || '(body)', message });
  }
  return out;
}

/** A lone high surrogate (no low one after it) or a lone low surrogate (no high one before it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What no text field of this API may hold, whatever its schema says: a NUL character (Postgres
 * cannot store it, so it would fail as a 500 deep in a service) and a UTF-16 surrogate without
 * its pair (not a character at all; encoding it as UTF-8 would silently change it to U+FFFD).
 */
function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL (U+0000) characters';
  if (LONE_SURROGATE.test(text)) return 'must not contain unpaired UTF-16 surrogates';
  return undefined;
}

/** `a/b` in a JSON Pointer segment, as ajv writes instance paths. */
function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A value met while walking a body, and how it was reached. */
interface Visit {
  value: unknown;
  parent: Visit | undefined;
  key: string | number;
}

/**
 * The JSON Pointer of a visit, built only when an error needs it: building one per value cost
 * every request an allocation per field, for paths that are almost never read.
 */
function pointerOf(visit: Visit): string {
  const segments: string[] = [];
  for (let at: Visit | undefined = visit; at?.parent; at = at.parent) segments.push(pointerSegment(at.key));
  return segments.length === 0 ? '' : `/${segments.reverse().join('/')}`;
}

/**
 * ajv-style errors for every string (object keys included) in `data` that `textProblem` refuses.
 * Walked with a stack of its own, so a deeply nested body cannot overflow the call stack.
 */
export function malformedTextErrors(data: unknown): ErrorObject[] {
  const errors: ErrorObject[] = [];
  const pending: Visit[] = [{ value: data, parent: undefined, key: '' }];
  const report = (visit: Visit, message: string) =>
    errors.push({
      keyword: 'wellFormedText',
      instancePath: pointerOf(visit),
      schemaPath: '#/wellFormedText',
      params: {},
      message,
    });
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value } = next;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) report(next, problem);
    } else if (Array.isArray(value)) {
      // Pushed last to first, so that errors come out in document order.
      for (let i = value.length - 1; i >= 0; i--) pending.push({ value: value[i], parent: next, key: i });
    } else if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      for (const key of keys) {
        const keyProblem = textProblem(key);
        if (keyProblem) report(next, `has a field name that ${keyProblem}`);
      }
      const fields = value as Record<string, unknown>;
      for (let i = keys.length - 1; i >= 0; i--) pending.push({ value: fields[keys[i]], parent: next, key: keys[i] });
    }
  }
  return errors;
}

/**
 * `validate` plus `malformedTextErrors`: the one place the rule is applied, by the gateway to
 * every request part and by the services to every action's params. The result behaves like an
 * ajv validate function (fastify and Moleculer read `errors` and `schemaEnv` from it).
 */
export function withWellFormedText<T = unknown>(validate: ValidateFunction<T>): ValidateFunction<T> {
  const checked = function (this: unknown, data: unknown, dataCxt?: Parameters<ValidateFunction>[1]) {
    const valid = validate.call(this, data, dataCxt);
    const textErrors = malformedTextErrors(data);
    checked.errors =
      textErrors.length === 0 ? validate.errors : [...(valid ? [] : (validate.errors ?? [])), ...textErrors];
    return valid && textErrors.length === 0;
  } as ValidateFunction<T>;
  checked.schema = validate.schema;
  checked.schemaEnv = validate.schemaEnv;
  return checked;
}
