import { Type } from '@sinclair/typebox';

declare const decimalTextBrand: unique symbol;

/**
 * Money as exact decimal text, the way Postgres gives and takes NUMERIC(12,2): `"19.99"`, never
 * a float. Branded, so a plain string (or a number's text) cannot pass for money by accident:
 * values come from the database, from a validated schema, or from `toDecimalText`.
 */
export type DecimalText = string & { readonly [decimalTextBrand]: true };

const DECIMAL_TEXT = /^\d+(\.\d{1,2})?$/;

/** Money passed between services and in events: decimal text with at most two decimals. */
export const DecimalTextSchema = Type.Unsafe<DecimalText>(Type.String({ pattern: DECIMAL_TEXT.source }));

export function isDecimalText(value: unknown): value is DecimalText {
  return typeof value === 'string' && DECIMAL_TEXT.test(value);
}

/** Checks text read from elsewhere (a row, a message) before it counts as money. */
export function decimalText(value: string): DecimalText {
  if (!isDecimalText(value)) throw new Error(`${JSON.stringify(value)} is not a decimal amount`);
  return value;
}

/**
 * An amount a schema already limited to two decimals (`Price`), as the text Postgres stores:
 * this only writes out the cents the client meant (19.99 → "19.99").
 */
export function toDecimalText(amount: number): DecimalText {
  return decimalText(amount.toFixed(2));
}

/** The JSON number of the exact text ("19.99" → 19.99), for views: a conversion, no arithmetic. */
export function decimalNumber(amount: DecimalText): number {
  return Number(amount);
}

/** Money as whole cents, for exact arithmetic on `DecimalText`. */
function toCents(amount: DecimalText): bigint {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

function fromCents(cents: bigint): DecimalText {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}` as DecimalText;
}

/** Digits after the point of the currency's minor unit (USD 2, JPY 0), never more than money keeps (2). */
function minorDigits(currency: string): number {
  try {
    const { maximumFractionDigits = 2 } = new Intl.NumberFormat('en', {
      style: 'currency',
      currency,
    }).resolvedOptions();
    return Math.min(maximumFractionDigits, 2);
  } catch {
    return 2;
  }
}

/** `numerator / denominator` rounded to the nearest integer, a tie to the even one (banker's rounding). */
function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twice = 2n * (numerator % denominator);
  if (twice > denominator || (twice === denominator && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

/** What a promo code takes off: a percentage, or a fixed amount off each ticket. */
export type Discount = { percent_off: DecimalText } | { amount_off: DecimalText };

/**
 * The discount of one order line (`quantity` tickets at `unitPrice`), exact: a percentage of the
 * line is rounded once per line, half to even, to the currency's minor unit (USD cents, JPY
 * yen); a fixed amount comes off each ticket, never more than its price. The line's total less
 * its discount is then never below zero, and the order's discount is the sum of its lines'.
 */
export function lineDiscount(
  unitPrice: DecimalText,
  quantity: number,
  discount: Discount,
  currency: string,
): DecimalText {
  const line = toCents(unitPrice) * BigInt(quantity);
  if ('amount_off' in discount) {
    const off = toCents(discount.amount_off);
    const perTicket = off < toCents(unitPrice) ? off : toCents(unitPrice);
    return fromCents(perTicket * BigInt(quantity));
  }
  // Percent in hundredths (12.5% → 1250), so that line × percent is exact in whole numbers.
  const percent = toCents(discount.percent_off);
  const unit = 10n ** BigInt(2 - minorDigits(currency));
  return fromCents(divideHalfEven(line * percent, 10000n * unit) * unit);
}

/** `a + b` or, with `sign` -1, `a - b`, exactly. */
export function addMoney(a: DecimalText, b: DecimalText, sign: 1 | -1 = 1): DecimalText {
  return fromCents(toCents(a) + BigInt(sign) * toCents(b));
}
