import { generateKeyPairSync } from 'node:crypto';
import { keyIdOf } from '@ticketpro/shared';
import { signingKeyFrom, signingKeyFromPem } from '../../src/keys/signing-key';
import { toJwks } from '../../src/keys/jwks';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('signing keys', () => {
  it('gives one key the same kid however it is loaded', () => {
    const fromObject = signingKeyFrom(privateKey);
    const fromPem = signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'test');

    expect(fromPem.kid).toBe(fromObject.kid);
    expect(fromObject.kid).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('gives different keys different kids', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(keyIdOf(other.publicKey)).not.toBe(signingKeyFrom(privateKey).kid);
  });

  it('refuses keys that cannot sign ES256', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    expect(() => signingKeyFrom(p384)).toThrow('must be an EC P-256 private key');
  });

  it('never puts the private part into the JWKS', () => {
    const [jwk] = toJwks([signingKeyFrom(privateKey)]).keys;
    expect(jwk).not.toHaveProperty('d');
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
  });
});
