/**
 * Names and value sets that the schema defines and the code relies on. Migrations import them
 * from here (never the other way round), so the two cannot drift apart; changing one once a
 * migration has run takes a new migration.
 */

export const PAYMENT_ATTEMPT_STATES = ['initiated', 'captured', 'declined', 'refunded', 'abandoned'] as const;

/**
 * A payments row's state since migration 010 (the ledger). A payment: `initiated` (recorded before
 * the provider is called) → `awaiting` (the provider will tell: Paynow) → `captured` | `declined` |
 * `cancelled` | `abandoned`; `captured` → `refunded` once all of it went back. A refund: `refunded`
 * (the provider gave the money back) or `owed` (a provider without a refund API: someone pays it
 * out, then it is `refunded` with who settled it).
 */
export const PAYMENT_STATES = [
  'initiated',
  'awaiting',
  'captured',
  'declined',
  'cancelled',
  'refunded',
  'abandoned',
  'owed',
] as const;

/** Whether a payments row is money coming in or money going back. */
export const PAYMENT_KINDS = ['payment', 'refund'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

/** A payment in these states is the order's one live payment (`ONE_LIVE_PAYMENT_INDEX`, migration 010). */
export const LIVE_PAYMENT_STATES = ['initiated', 'awaiting', 'captured'] as const satisfies readonly PaymentState[];

/** Named so that a second payment racing for one order becomes a 409 rather than a 500. */
export const ONE_LIVE_PAYMENT_INDEX = 'payments_one_live_per_order';
