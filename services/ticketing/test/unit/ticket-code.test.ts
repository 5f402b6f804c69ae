import { createPublicKey, generateKeyPairSync, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import { parseCode, signCode } from '../../src/codes/ticket-code';

/** What a scanner does offline with nothing but a published JWK: no ticketing code involved. */
function verifiesOffline(code: string, jwk: JsonWebKey): boolean {
  const [prefix, payload, signature] = code.split('.');
  if (prefix !== 'TP1') return false;
  const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  return verify(null, Buffer.from(payload, 'base64url'), publicKey, Buffer.from(signature, 'base64url'));
}

describe('ticket codes', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const facts = { ticketId: 4242, eventId: 77, secret: randomBytes(16), kid: 'k1abcdef' };

  it('verify offline with only the published public key', () => {
    const code = signCode(facts, privateKey);

    expect(jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String) });
    expect(verifiesOffline(code, jwk)).toBe(true);
    expect(code.length).toBeLessThanOrEqual(512);
  });

  it('carry the ticket, event, secret and key id', () => {
    const parsed = parseCode(signCode(facts, privateKey));

    expect(parsed).toMatchObject({ ticketId: 4242, eventId: 77, kid: 'k1abcdef' });
    expect(parsed!.secret.equals(facts.secret)).toBe(true);
  });

  it('fail verification when altered or checked with another key', () => {
    const code = signCode(facts, privateKey);
    const [prefix, , signature] = code.split('.');
    const otherTicket = signCode({ ...facts, ticketId: 4243 }, privateKey).split('.')[1];
    const stranger = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });

    expect(verifiesOffline([prefix, otherTicket, signature].join('.'), jwk)).toBe(false);
    expect(verifiesOffline(code, stranger)).toBe(false);
  });

  it('are not parsed from malformed input', () => {
    for (const bad of ['', 'TP1', 'TP2.aGVsbG8.aGVsbG8', 'TP1.!!.aGk', 'TP1.aGk.aGk', 'TP1.a.b.c']) {
      expect(parseCode(bad)).toBeUndefined();
    }
  });
});
