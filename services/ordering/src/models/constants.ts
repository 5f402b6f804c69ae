/**
 * Names and value sets that the schema defines and the code relies on. Migrations import them
 * from here (never the other way round), so the two cannot drift apart; changing one once a
 * migration has run takes a new migration.
 */

export const PAYMENT_ATTEMPT_STATES = ['initiated', 'captured', 'declined', 'refunded', 'abandoned'] as const;
export type PaymentState = (typeof PAYMENT_ATTEMPT_STATES)[number];

/** Named so that a second payment racing for one order becomes a 409 rather than a 500. */
export const ONE_LIVE_PAYMENT_INDEX = 'payments_one_live_per_order';
