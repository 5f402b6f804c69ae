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
