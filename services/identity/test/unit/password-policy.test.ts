import { isCommonPassword, passwordProblems } from '../../src/passwords/password-policy';

describe('isCommonPassword', () => {
  it.each(['Password1', 'Passw0rd', 'Qwerty123', 'Welcome1', 'LETMEIN', 'iloveyou'])('knows %s', (password) => {
    expect(isCommonPassword(password)).toBe(true);
  });

  it('does not flag a password nobody uses', () => {
    expect(isCommonPassword('Analytical-Engine-1843')).toBe(false);
  });
});

describe('passwordProblems', () => {
  it('has nothing against a good password', () => {
    expect(passwordProblems('Analytical-Engine-1843')).toEqual([]);
  });

  it('names every rule a password breaks', () => {
    const messages = passwordProblems('password').map((p) => p.message);

    expect(messages).toEqual([
      expect.stringContaining('(rule: uppercase)'),
      expect.stringContaining('(rule: digit)'),
      expect.stringContaining('(rule: common)'),
    ]);
  });

  it('holds passwords to 8-128 characters', () => {
    expect(passwordProblems('Ab1-xyz')).toEqual([{ field: 'password', message: 'must be 8-128 characters' }]);
    expect(passwordProblems(`Ab1-${'x'.repeat(125)}`)).toEqual([
      { field: 'password', message: 'must be 8-128 characters' },
    ]);
  });
});
