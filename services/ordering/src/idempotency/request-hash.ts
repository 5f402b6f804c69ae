import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';

/** SHA-256 of the action and its params in a canonical form, so key order does not matter. */
export function requestHash(action: string, params: object): string {
  return createHash('sha256').update(stableStringify({ action, params })).digest('hex');
}
