import { addMoney, decimalNumber, decimalText, isDecimalText, lineDiscount, toDecimalText } from '@ticketpro/shared';

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

describe('lineDiscount (a promo code on one order line)', () => {
  const money = (text: string) => decimalText(text);

  it.each([
    // price, quantity, percent, currency, discount
    ['19.99', 2, '12.50', 'USD', '5.00'], // 4.9975 → 5.00
    ['0.10', 1, '25.00', 'USD', '0.02'], // 0.025: the tie goes to the even cent
    ['0.30', 1, '25.00', 'USD', '0.08'], // 0.075: the tie goes to the even cent
    ['19.99', 1, '50.00', 'USD', '10.00'], // 9.995 → 10.00
    ['12.50', 3, '15.00', 'USD', '5.62'], // 5.625 → 5.62
    ['1250.00', 1, '10.00', 'JPY', '125.00'],
    ['1250.00', 1, '0.20', 'JPY', '2.00'], // 2.5 yen: the tie goes to the even yen
    ['1350.00', 1, '0.20', 'JPY', '3.00'], // 2.7 yen → 3
    ['5.00', 4, '100.00', 'USD', '20.00'],
  ])('%s × %d at %s%% in %s is %s off', (price, quantity, percent, currency, expected) => {
    expect(lineDiscount(money(price), quantity, { percent_off: money(percent) }, currency)).toBe(expected);
  });

  it('takes a fixed amount off each ticket, never more than its price', () => {
    expect(lineDiscount(money('20.00'), 3, { amount_off: money('2.50') }, 'USD')).toBe('7.50');
    expect(lineDiscount(money('1.99'), 2, { amount_off: money('5.00') }, 'USD')).toBe('3.98');
  });

  it('adds and subtracts exactly', () => {
    expect(addMoney(money('0.10'), money('0.20'))).toBe('0.30');
    expect(addMoney(money('84.98'), money('5.00'), -1)).toBe('79.98');
  });
});
