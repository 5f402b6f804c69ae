import { sign, verify, type KeyObject } from 'node:crypto';

/**
 * A ticket's code: `TP1.<payload>.<signature>`, both base64url. The payload packs the ticket id
 * and event id (uint32, big-endian), a random 128-bit secret and the signing key's id (the
 * rest, UTF-8); the signature is Ed25519 over the payload bytes, so a scanner holding the
 * published public key can check a code offline.
 */
export const CODE_PREFIX = 'TP1';
export const SECRET_BYTES = 16;
const FIXED_BYTES = 8 + SECRET_BYTES;

export interface CodeFacts {
  ticketId: number;
  eventId: number;
  secret: Buffer;
  kid: string;
}

export interface ParsedCode extends CodeFacts {
  payload: Buffer;
  signature: Buffer;
}

export function packPayload({ ticketId, eventId, secret, kid }: CodeFacts): Buffer {
  if (secret.length !== SECRET_BYTES) throw new Error(`A ticket secret is ${SECRET_BYTES} bytes`);
  const fixed = Buffer.alloc(FIXED_BYTES);
  fixed.writeUInt32BE(ticketId, 0);
  fixed.writeUInt32BE(eventId, 4);
  secret.copy(fixed, 8);
  return Buffer.concat([fixed, Buffer.from(kid, 'utf8')]);
}

export function signCode(facts: CodeFacts, privateKey: KeyObject): string {
  const payload = packPayload(facts);
  const signature = sign(null, payload, privateKey);
  return [CODE_PREFIX, payload.toString('base64url'), signature.toString('base64url')].join('.');
}

/** The code's parts, or undefined when it is not a ticket code at all. Checks no signature. */
export function parseCode(code: string): ParsedCode | undefined {
  const parts = code.split('.');
  if (parts.length !== 3 || parts[0] !== CODE_PREFIX) return undefined;
  const base64url = /^[A-Za-z0-9_-]+$/;
  if (!base64url.test(parts[1]) || !base64url.test(parts[2])) return undefined;
  const payload = Buffer.from(parts[1], 'base64url');
  const signature = Buffer.from(parts[2], 'base64url');
  if (payload.length <= FIXED_BYTES) return undefined;
  return {
    ticketId: payload.readUInt32BE(0),
    eventId: payload.readUInt32BE(4),
    secret: payload.subarray(8, FIXED_BYTES),
    kid: payload.subarray(FIXED_BYTES).toString('utf8'),
    payload,
    signature,
  };
}

export function hasValidSignature(code: ParsedCode, publicKey: KeyObject): boolean {
  return verify(null, code.payload, publicKey, code.signature);
}
