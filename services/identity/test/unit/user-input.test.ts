import { normalisePhoneNumber } from '../../src/users/phone-number';

describe('normalisePhoneNumber', () => {
  it.each([
    ['+263 (77) 123-4567', '+263771234567'],
    ['077 123 4567', '0771234567'],
    ['0771234567', '0771234567'],
  ])('stores %s as %s', (input, stored) => {
    expect(normalisePhoneNumber(input)).toBe(stored);
  });
});
