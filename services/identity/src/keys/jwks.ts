import type { Jwks } from '@ticketpro/shared';
import { SIGNING_ALGORITHM, type SigningKey } from './signing-key';

/** The public half of the signing key as a JSON Web Key Set, for whoever verifies tokens. */
export function toJwks(key: SigningKey): Jwks {
  const jwk = { kty: 'EC', ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, alg: SIGNING_ALGORITHM, use: 'sig' };
  return { keys: [jwk] };
}
