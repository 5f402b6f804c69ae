import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { assertAccessTokenKey, keyIdOf } from '@ticketpro/shared';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** The keys access tokens are signed (the active one) and verified (all of them) with. */
export interface SigningKeys {
  readonly active: SigningKey;
  readonly keys: SigningKey[];
  /** Reads keys another instance made since (a rotation). */
  reload(): Promise<void>;
}

export function signingKeyFrom(privateKey: KeyObject): SigningKey {
  assertAccessTokenKey(privateKey);
  const publicKey = createPublicKey(privateKey);
  return { kid: keyIdOf(publicKey), privateKey, publicKey };
}

/** `origin` names where the PEM came from, so a bad key fails the start with a useful message. */
export function signingKeyFromPem(pem: string, origin: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new Error(`${origin} is not a PEM private key: ${(err as Error).message}`);
  }
  return signingKeyFrom(privateKey);
}
