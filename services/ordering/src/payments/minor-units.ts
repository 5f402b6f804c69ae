import type { DecimalText } from '@ticketpro/shared';

/**
 * An amount in the currency's minor units (cents), as Stripe takes it, from exact decimal text
 * ("59.97" → 5997) without passing through a binary float. Every currency TicketPro prices in has
 * two decimals.
 */
export function toMinorUnits(amount: DecimalText): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  if (!match) throw new Error(`Not a decimal amount: ${amount}`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}
