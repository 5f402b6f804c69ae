import { TokenRevocations } from '../../src/auth/token-revocations';

describe('TokenRevocations', () => {
  const SESSION = '0b6c0f9e-8a3e-4a57-9b7e-3c2f1d0e9a11';

  it('refuses versions below the mark only, for that user only', () => {
    const revocations = new TokenRevocations(60_000);
    revocations.requireVersion(7, 2);
    expect(revocations.isRevoked({ userId: 7, version: 1 })).toBe(true);
    expect(revocations.isRevoked({ userId: 7, version: 2 })).toBe(false);
    expect(revocations.isRevoked({ userId: 8, version: 0 })).toBe(false);
  });

  it('only raises a mark', () => {
    const revocations = new TokenRevocations(60_000);
    revocations.requireVersion(7, 3);
    revocations.requireVersion(7, 1);
    expect(revocations.isRevoked({ userId: 7, version: 2 })).toBe(true);
  });

  it('refuses the tokens of an ended sign-in, whatever their version', () => {
    const revocations = new TokenRevocations(60_000);
    revocations.endSession(SESSION);
    expect(revocations.isRevoked({ userId: 7, version: 5, sessionId: SESSION })).toBe(true);
    expect(revocations.isRevoked({ userId: 7, version: 5 })).toBe(false);
  });

  it('forgets what is older than its horizon, and only that', () => {
    const revocations = new TokenRevocations(60_000);
    revocations.requireVersion(7, 2);
    revocations.endSession(SESSION);
    revocations.prune(Date.now() + 59_000);
    expect(revocations.size).toBe(2);
    revocations.prune(Date.now() + 61_000);
    expect(revocations.size).toBe(0);
    expect(revocations.isRevoked({ userId: 7, version: 1, sessionId: SESSION })).toBe(false);
  });
});
