import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Paynow's message format, as its integration guide documents it: every message either way is
 * an `application/x-www-form-urlencoded` body whose `hash` field is the SHA-512 of the other
 * fields' values, concatenated in the order they appear, followed by the integration key, in
 * upper-case hex. A message is an ordered list of fields because the order is part of the hash.
 */
export type PaynowFields = [name: string, value: string][];

export function paynowHash(fields: PaynowFields, integrationKey: string): string {
  const values = fields
    .filter(([name]) => name.toLowerCase() !== 'hash')
    .map(([, value]) => value)
    .join('');
  return createHash('sha512')
    .update(values + integrationKey, 'utf8')
    .digest('hex')
    .toUpperCase();
}

/** A message to Paynow: the fields, then their hash. */
export function signedBody(fields: PaynowFields, integrationKey: string): string {
  const body = new URLSearchParams(fields);
  body.append('hash', paynowHash(fields, integrationKey));
  return body.toString();
}

/** A message from Paynow (a form body or a query string), its fields in the order sent. */
export function parseMessage(body: string): PaynowFields {
  return [...new URLSearchParams(body).entries()];
}

/** Whether Paynow signed these fields with our integration key; compared in constant time. */
export function isSignedByPaynow(fields: PaynowFields, integrationKey: string): boolean {
  const sent = fields.find(([name]) => name.toLowerCase() === 'hash')?.[1];
  if (!sent) return false;
  const expected = Buffer.from(paynowHash(fields, integrationKey));
  const actual = Buffer.from(sent.toUpperCase());
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** One field's value, by Paynow's (case-insensitive) field name. */
export function field(fields: PaynowFields, name: string): string | undefined {
  return fields.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** Paynow's transaction statuses, grouped by what they mean for the order. */
const PAID = ['paid', 'awaiting delivery', 'delivered'];
const CANCELLED = ['cancelled'];
const FAILED = ['failed', 'disputed', 'refunded'];

export type PaynowOutcome = 'paid' | 'cancelled' | 'failed' | 'pending';

export function outcomeOf(status: string): PaynowOutcome {
  const s = status.trim().toLowerCase();
  if (PAID.includes(s)) return 'paid';
  if (CANCELLED.includes(s)) return 'cancelled';
  if (FAILED.includes(s)) return 'failed';
  return 'pending';
}
