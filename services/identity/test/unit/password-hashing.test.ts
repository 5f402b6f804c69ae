import {
  assertPasswordHashCostAllowed,
  hashPassword,
  verifyPassword,
  verifyWithoutAccount,
} from '../../src/passwords/hashing';

describe('password hashing costs', () => {
  it('hashes with OWASP argon2id by default, and with 1 MiB at the test cost, each verifying', async () => {
    const [owasp, test] = await Promise.all([
      hashPassword('Analytical-Engine-1843', 'owasp'),
      hashPassword('Analytical-Engine-1843', 'test'),
    ]);
    expect(owasp).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(test).toMatch(/^\$argon2id\$v=19\$m=1024,t=2,p=1\$/);
    for (const hash of [owasp, test]) {
      await expect(verifyPassword(hash, 'Analytical-Engine-1843')).resolves.toBe(true);
      await expect(verifyPassword(hash, 'Analytical-Engine-1844')).resolves.toBe(false);
    }
  });

  it('checks an unknown email against a hash of the configured cost, and refuses it', async () => {
    await expect(verifyWithoutAccount('Analytical-Engine-1843', 'test')).resolves.toBe(false);
    await expect(verifyWithoutAccount('Analytical-Engine-1843', 'owasp')).resolves.toBe(false);
  });

  it('allows the test cost only when NODE_ENV is test', () => {
    expect(() => assertPasswordHashCostAllowed({ PASSWORD_HASH_COST: 'test', NODE_ENV: 'test' })).not.toThrow();
    expect(() => assertPasswordHashCostAllowed({ PASSWORD_HASH_COST: 'owasp', NODE_ENV: 'production' })).not.toThrow();
    for (const env of ['production', 'development']) {
      expect(() => assertPasswordHashCostAllowed({ PASSWORD_HASH_COST: 'test', NODE_ENV: env })).toThrow(
        `PASSWORD_HASH_COST=test is for test suites only (NODE_ENV is ${env}, not test)`,
      );
    }
  });
});
