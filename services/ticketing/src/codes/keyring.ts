import type { Static } from '@sinclair/typebox';
import { Keyring, TICKET_CODE_KEYS, type Database, type TicketKeysSchema } from '@ticketpro/shared';

/**
 * The Ed25519 keys ticket codes are signed with, in ticketing's database: the newest generation
 * signs new codes, every generation still verifies, so rotating leaves the codes already handed
 * out valid.
 */
export function openTicketKeyring(db: Database): Promise<Keyring> {
  return Keyring.open(db, TICKET_CODE_KEYS);
}

/**
 * The public keys as a JWKS (kty OKP, crv Ed25519), newest first, read again first: scanners
 * fetch them rarely, and must get a key another instance or `npm run keys` rotated to.
 */
export async function publicTicketKeys(keyring: Keyring): Promise<Static<typeof TicketKeysSchema>> {
  await keyring.reload();
  return {
    keys: keyring.keys.map((key) => {
      const { x } = key.publicKey.export({ format: 'jwk' });
      return { kid: key.kid, kty: 'OKP' as const, crv: 'Ed25519' as const, x: x as string, use: 'sig' as const };
    }),
  };
}
