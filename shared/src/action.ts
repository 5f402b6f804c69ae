import type { ActionSchema } from 'moleculer';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { RequestContext } from './broker';

/** For actions that take nothing: anything sent along is refused rather than ignored. */
export const NoParams = Type.Object({}, { additionalProperties: false });

/**
 * An action whose params are a JSON Schema, checked by the broker's ajv validator before the
 * handler runs, and whose handler sees params typed from that schema.
 */
export function defineAction<S extends TSchema, R>(
  params: S,
  handler: (ctx: RequestContext<Static<S>>) => Promise<R>,
): ActionSchema {
  return {
    // Moleculer's typings describe fastest-validator rules; this broker's validator takes JSON Schema.
    params: params as unknown as ActionSchema['params'],
    handler: handler as unknown as ActionSchema['handler'],
  };
}
