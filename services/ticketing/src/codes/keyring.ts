import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { Keyring, type Database, type TicketKeysSchema } from '@ticketpro/shared';

/**
 * The Ed25519 keys ticket codes are signed with, in ticketing's database: the newest generation
 * signs new codes, every generation still verifies, so rotating leaves the codes already handed
 * out valid.
 */
export function openTicketKeyring(db: Database): Promise<Keyring> {
  return Keyring.open(db, {
    purpose: 'ticket-code',
    generate: () => generateKeyPairSync('ed25519').privateKey,
    check: (privateKey: KeyObject) => {
      if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('A ticket-code key must be an Ed25519 key');
    },
  });
}

/** The public keys as a JWKS (kty OKP, crv Ed25519), newest first. */
export function publicTicketKeys(keyring: Keyring): Static<typeof TicketKeysSchema> {
  return {
    keys: keyring.keys.map((key) => {
      const { x } = key.publicKey.export({ format: 'jwk' });
      return { kid: key.kid, kty: 'OKP' as const, crv: 'Ed25519' as const, x: x as string, use: 'sig' as const };
    }),
  };
}
