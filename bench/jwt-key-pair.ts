import { generateKeyPairSync } from 'node:crypto';

/** A P-256 key pair as PEM, for identity to sign access tokens (ES256) and their verifiers to check them. */
export function jwtKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}
