import { escapeLikePattern } from '../../src/actions/users-list';
import { normalisePhoneNumber } from '../../src/users/phone-number';

describe('escapeLikePattern', () => {
  it('escapes the LIKE wildcards and the escape character itself', () => {
    expect(escapeLikePattern('50%_off\\now')).toBe('50\\%\\_off\\\\now');
  });

  it('leaves ordinary text alone', () => {
    expect(escapeLikePattern('Ada Lovelace')).toBe('Ada Lovelace');
  });
});

describe('normalisePhoneNumber', () => {
  it.each([
    ['+263 (77) 123-4567', '+263771234567'],
    ['077 123 4567', '0771234567'],
    ['0771234567', '0771234567'],
  ])('stores %s as %s', (input, stored) => {
    expect(normalisePhoneNumber(input)).toBe(stored);
  });
});
