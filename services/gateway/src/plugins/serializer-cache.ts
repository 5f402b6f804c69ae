import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';
import { withNullableForSerialization } from './nullable-serialization';

type SerializerFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildSerializer']
>;
type Serializer = ReturnType<ReturnType<SerializerFactory>>;

const buildSerializer = SerializerSelector();

/** Compiled serializers by what they were compiled from: the shared schemas and options, then the response schema. */
const compiledBySetting = new Map<string, Map<string, Serializer>>();

/**
 * fastify's own response serializer compiler (fast-json-stringify), compiling each distinct
 * response schema once rather than once per route and status: every route answers the same few
 * problem+json schemas, and compiling those again and again was most of the app's start (seconds
 * on a busy machine, paid by each gateway process). The cache is the process's, so a process
 * that builds the app again (a test file starting gateways with other settings) compiles nothing
 * twice either. A serializer depends on nothing but the schemas and options it is keyed by.
 * Nullable fields are compiled as `nullable` (see withNullableForSerialization).
 */
export const cachingSerializerFactory: SerializerFactory = (externalSchemas, serializerOptions) => {
  const schemas = withNullableForSerialization(externalSchemas);
  const compile = buildSerializer(schemas, serializerOptions);
  const setting = JSON.stringify([schemas, serializerOptions]);
  let compiled = compiledBySetting.get(setting);
  if (!compiled) compiledBySetting.set(setting, (compiled = new Map()));
  return (route) => {
    const schema = withNullableForSerialization(route.schema);
    const key = JSON.stringify(schema);
    let serialize = compiled.get(key);
    if (!serialize) {
      serialize = compile({ ...route, schema });
      compiled.set(key, serialize);
    }
    return serialize;
  };
};
