import Ajv, { type ErrorObject } from 'ajv';
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
