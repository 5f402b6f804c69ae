import { ACCESS_TOKEN_ALGORITHM, type Jwks } from '@ticketpro/shared';
import type { SigningKey } from './signing-key';

/** The public halves of the signing keys as a JSON Web Key Set, for whoever verifies tokens. */
export function toJwks(keys: SigningKey[]): Jwks {
  return {
    keys: keys.map((key) => ({
      kty: 'EC',
      ...key.publicKey.export({ format: 'jwk' }),
      kid: key.kid,
      alg: ACCESS_TOKEN_ALGORITHM,
      use: 'sig',
    })),
  };
}
