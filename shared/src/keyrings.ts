import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { KeyringOptions } from './keyring';

/** Access tokens are ES256: ECDSA over P-256 (OpenSSL's prime256v1) with SHA-256. */
export const ACCESS_TOKEN_ALGORITHM = 'ES256';

export function assertAccessTokenKey(privateKey: KeyObject): void {
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(
      `The JWT signing key must be an EC P-256 private key (tokens are signed with ${ACCESS_TOKEN_ALGORITHM})`,
    );
  }
}

/** Identity's keyring: the keys access tokens are signed with (unless one is configured). */
export const ACCESS_TOKEN_KEYS: KeyringOptions = {
  purpose: 'access-token',
  generate: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  check: assertAccessTokenKey,
};

/** Ticketing's keyring: the Ed25519 keys ticket codes are signed with, verifiable offline. */
export const TICKET_CODE_KEYS: KeyringOptions = {
  purpose: 'ticket-code',
  generate: () => generateKeyPairSync('ed25519').privateKey,
  check: (privateKey) => {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('A ticket-code key must be an Ed25519 key');
  },
};

/** The services that keep a keyring, and which: what `npm run keys` can rotate. */
export const SERVICE_KEYRINGS = { identity: ACCESS_TOKEN_KEYS, ticketing: TICKET_CODE_KEYS } as const;
export type KeyringService = keyof typeof SERVICE_KEYRINGS;
