import type { FastifySchema } from 'fastify';

/**
 * Keywords our validator reads that are not JSON Schema: `errorMessage` gives a rule's 422
 * message (formatAjvErrors). Validation keeps them; the published OpenAPI document must not
 * carry them, or OpenAPI tools reject the schemas.
 */
const VALIDATOR_ONLY_KEYWORDS = new Set(['errorMessage']);

/** Keywords whose value is one subschema, or an array of them. */
const SUBSCHEMA_KEYWORDS = new Set([
  'items',
  'prefixItems',
  'additionalItems',
  'contains',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
  'allOf',
  'anyOf',
  'oneOf',
]);

/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions']);

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const mapValues = (map: Json, fn: (value: unknown) => unknown): Json =>
  Object.fromEntries(Object.entries(map).map(([key, value]) => [key, fn(value)]));

/** A media type map (`content`), as fastify-swagger accepts it inside a body or response schema. */
const publishedContent = (content: Json): Json =>
  mapValues(content, (media) =>
    isObject(media) && 'schema' in media ? { ...media, schema: publishedSchema(media.schema) } : media,
  );

/**
 * A copy of `schema` without the validator's own keywords, at any depth. Walks only where
 * subschemas are, so a property that happens to be named like one of them is left alone, and
 * values (`examples`, `default`, `const`, `enum`) are copied as they are.
 */
export function publishedSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(publishedSchema);
  if (!isObject(schema)) return schema;
  const published: Json = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (VALIDATOR_ONLY_KEYWORDS.has(keyword)) continue;
    if (SUBSCHEMA_KEYWORDS.has(keyword)) published[keyword] = publishedSchema(value);
    else if (SUBSCHEMA_MAP_KEYWORDS.has(keyword) && isObject(value))
      published[keyword] = mapValues(value, publishedSchema);
    else if (keyword === 'content' && isObject(value)) published[keyword] = publishedContent(value);
    else published[keyword] = value;
  }
  return published;
}

/**
 * A response as published. fastify-swagger drops the `examples` beside a `$ref`, so a response
 * that is a shared schema shows its example on its media type instead.
 */
function publishedResponse(response: unknown): unknown {
  if (!isObject(response) || !('$ref' in response) || !Array.isArray(response.examples))
    return publishedSchema(response);
  const { description, examples, ...schema } = response;
  return { description, content: { 'application/json': { schema, example: examples[0] } } };
}

/** The parts of a route's schema that hold JSON Schemas (the query string aside), as they are published. */
export function publishedRouteSchema(schema: FastifySchema): FastifySchema {
  const published: FastifySchema = {};
  for (const part of ['body', 'params', 'headers'] as const)
    if (schema[part]) published[part] = publishedSchema(schema[part]);
  if (isObject(schema.response)) published.response = mapValues(schema.response, publishedResponse);
  return published;
}

/** The document's shared schemas (`components.schemas`), as they are published. */
export const publishedComponents = (schemas: object): Json => mapValues(schemas as Json, publishedSchema);
