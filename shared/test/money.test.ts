import { decimalNumber, decimalText, isDecimalText, toDecimalText } from '@ticketpro/shared';

describe('toDecimalText', () => {
  it.each([
    [19.99, '19.99'],
    [0, '0.00'],
    [0.1, '0.10'],
    [1000.1, '1000.10'],
    [99999.99, '99999.99'],
    [100000, '100000.00'],
    // A sum that binary floating point gets slightly wrong still names its cent.
    [0.1 + 0.2, '0.30'],
  ])('writes %p as %p', (price, text) => {
    expect(toDecimalText(price)).toBe(text);
  });

  it('refuses what is not an amount of money', () => {
    expect(() => toDecimalText(-1)).toThrow('is not a decimal amount');
    expect(() => toDecimalText(Number.NaN)).toThrow('is not a decimal amount');
  });
});

describe('decimalText', () => {
  it('takes the exact text Postgres gives for NUMERIC(12,2) and refuses anything else', () => {
    expect(decimalText('59.97')).toBe('59.97');
    expect(decimalText('7')).toBe('7');
    for (const text of ['', '1.234', '-1.00', '1e3', ' 1.00', '1,00']) {
      expect(isDecimalText(text)).toBe(false);
      expect(() => decimalText(text)).toThrow('is not a decimal amount');
    }
  });

  it('goes out as the JSON number of its text, no arithmetic in between', () => {
    expect(decimalNumber(decimalText('19.99'))).toBe(19.99);
  });
});
