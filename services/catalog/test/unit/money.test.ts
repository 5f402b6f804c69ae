import { toNumericText } from '../../src/ticket-types/money';

describe('toNumericText', () => {
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
    expect(toNumericText(price)).toBe(text);
  });
});
