import type { Jwks } from '@ticketpro/shared';
import { SIGNING_ALGORITHM, type SigningKey } from './signing-key';

/** The public halves of the signing keys as a JSON Web Key Set, for whoever verifies tokens. */
export function toJwks(keys: SigningKey[]): Jwks {
  return {
    keys: keys.map((key) => ({
      kty: 'EC',
      ...key.publicKey.export({ format: 'jwk' }),
      kid: key.kid,
      alg: SIGNING_ALGORITHM,
      use: 'sig',
    })),
  };
}
