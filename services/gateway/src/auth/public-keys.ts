import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { JwksSchema, createAjv, type Config, type Jwks } from '@ticketpro/shared';

/** Finds the key that verifies a token signed with key id `kid`, or undefined if none is known. */
export interface PublicKeys {
  keyFor(kid: string | undefined, fetchJwks: () => Promise<unknown>): Promise<KeyObject | undefined>;
}

/** The shortest time between two JWKS fetches triggered by unknown key ids. */
export const JWKS_REFETCH_INTERVAL_MS = 30_000;

/**
 * The configured PEM (`JWT_PUBLIC_KEY`, or the file `JWT_PUBLIC_KEY_FILE`) when there is one;
 * otherwise identity's JWKS, fetched when first needed.
 */
export async function publicKeysFrom(config: Config): Promise<PublicKeys> {
  const file = config.JWT_PUBLIC_KEY_FILE;
  const pem = config.JWT_PUBLIC_KEY ?? (file ? await readFile(file, 'utf8') : undefined);
  if (pem === undefined) return new JwksKeys();
  // A PEM passed through an environment variable often arrives with its newlines escaped.
  const key = createPublicKey(pem.replace(/\\n/g, '\n'));
  if (!isP256(key)) throw new Error('JWT public key must be an EC P-256 key (tokens are signed with ES256)');
  return { keyFor: async () => key };
}

const validateJwks = createAjv({ coerce: false }).compile<Jwks>(JwksSchema);

/**
 * Identity's signing keys by key id. A token with an id not seen yet triggers one refetch, at
 * most every `JWKS_REFETCH_INTERVAL_MS`, so rotated keys are picked up while tokens with
 * made-up ids cannot make the gateway hammer identity. Concurrent lookups share one fetch.
 */
export class JwksKeys implements PublicKeys {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private fetching?: Promise<void>;

  async keyFor(kid: string | undefined, fetchJwks: () => Promise<unknown>): Promise<KeyObject | undefined> {
    if (kid === undefined) return undefined;
    const known = this.keys.get(kid);
    if (known || Date.now() - this.fetchedAt < JWKS_REFETCH_INTERVAL_MS) return known;
    this.fetching ??= this.refresh(fetchJwks).finally(() => {
      this.fetching = undefined;
    });
    await this.fetching;
    return this.keys.get(kid);
  }

  private async refresh(fetchJwks: () => Promise<unknown>): Promise<void> {
    const jwks = await fetchJwks();
    if (!validateJwks(jwks)) throw new Error('identity.keys did not answer a JSON Web Key Set');
    const keys = new Map<string, KeyObject>();
    for (const jwk of jwks.keys) {
      if (jwk.alg !== 'ES256') continue;
      const key = createPublicKey({ key: jwk, format: 'jwk' });
      if (isP256(key)) keys.set(jwk.kid, key);
    }
    this.keys = keys;
    this.fetchedAt = Date.now();
  }
}

function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}
