import { VerifiedTokens } from '../../src/auth/verified-tokens';
import type { VerifiedToken } from '../../src/auth/access-token';

const verified = (userId: number, expiresAtMs: number): VerifiedToken => ({
  user: { id: userId, role: 'user' },
  userId,
  version: 0,
  expiresAtMs,
});

describe('VerifiedTokens: verified access tokens until they expire', () => {
  it('answers a remembered token until its expiry, then forgets it', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('token-a', verified(1, 2_000));
    expect(tokens.get('token-a', 1_999)?.userId).toBe(1);
    expect(tokens.get('token-a', 2_000)).toBeUndefined();
    expect(tokens.get('token-a', 1_000)).toBeUndefined();
    expect(tokens.get('token-b', 1_000)).toBeUndefined();
  });

  it('keeps at most its bound, the oldest going first', () => {
    const tokens = new VerifiedTokens(2);
    tokens.remember('one', verified(1, 10_000));
    tokens.remember('two', verified(2, 10_000));
    tokens.remember('three', verified(3, 10_000));
    expect(tokens.get('one', 0)).toBeUndefined();
    expect(tokens.get('two', 0)?.userId).toBe(2);
    expect(tokens.get('three', 0)?.userId).toBe(3);
  });
});
