/** A JSON Schema as fast-json-stringify reads it: any object, keywords and all. */
type Schema = { [keyword: string]: unknown };

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isNullType = (schema: unknown): boolean =>
  isSchema(schema) && schema.type === 'null' && Object.keys(schema).length === 1;

/** A branch that fast-json-stringify can write by its `type` alone: no reference or combinator of its own. */
const isPlainTyped = (schema: unknown): schema is Schema =>
  isSchema(schema) &&
  typeof schema.type === 'string' &&
  schema.$ref === undefined &&
  schema.anyOf === undefined &&
  schema.oneOf === undefined &&
  schema.allOf === undefined;

/**
 * `schema` with every `anyOf: [X, { type: 'null' }]` (TypeBox's `Type.Union([X, Type.Null()])`,
 * how our schemas say a field may be null) written as X with `nullable: true`, for the response
 * serializers only. fast-json-stringify writes an `anyOf` by running an ajv validator on the value
 * for each branch until one matches (three per ticket type of an event, on every read), where
 * `nullable` is one `=== null` test. Validation and the OpenAPI document keep the schemas as they are.
 */
export function withNullableForSerialization<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(withNullableForSerialization) as T;
  if (!isSchema(schema)) return schema;
  const rewritten: Schema = {};
  for (const [keyword, value] of Object.entries(schema)) rewritten[keyword] = withNullableForSerialization(value);
  const branches = rewritten.anyOf;
  if (!Array.isArray(branches) || branches.length !== 2) return rewritten as T;
  const nullAt = branches.findIndex(isNullType);
  const other = branches[1 - nullAt];
  if (nullAt === -1 || !isPlainTyped(other)) return rewritten as T;
  const { anyOf: _anyOf, ...siblings } = rewritten;
  return { ...siblings, ...other, nullable: true } as T;
}
