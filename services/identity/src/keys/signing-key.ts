import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { keyIdOf } from '@ticketpro/shared';

/** Access tokens are ES256: ECDSA over P-256 (OpenSSL's prime256v1) with SHA-256. */
export const SIGNING_ALGORITHM = 'ES256';
const CURVE = 'prime256v1';

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

export function assertCanSignTokens(privateKey: KeyObject): void {
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== CURVE) {
    throw new Error(
      `The JWT signing key must be an EC P-256 private key (tokens are signed with ${SIGNING_ALGORITHM})`,
    );
  }
}

export function signingKeyFrom(privateKey: KeyObject): SigningKey {
  assertCanSignTokens(privateKey);
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
