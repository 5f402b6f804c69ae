import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** Access tokens are ES256: ECDSA over P-256 (OpenSSL's prime256v1) with SHA-256. */
export const SIGNING_ALGORITHM = 'ES256';
const CURVE = 'prime256v1';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A stable id for a public key: the same key gets the same `kid` on every instance and start. */
export function keyIdOf(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64url').slice(0, 16);
}

export function signingKeyFrom(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== CURVE) {
    throw new Error(`The JWT signing key must be an EC P-256 private key (tokens are signed with ${SIGNING_ALGORITHM})`);
  }
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
