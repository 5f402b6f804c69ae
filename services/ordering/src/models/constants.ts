// Database object names and enum values the schema is created with (by the migrations) and the code
// relies on. A migration is history: changing a value here needs a new migration, not an edit.

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
