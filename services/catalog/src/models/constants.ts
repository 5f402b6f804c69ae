/**
 * Names and value sets that the schema defines and the code relies on. Migrations import them
 * from here (never the other way round), so the two cannot drift apart; changing one once a
 * migration has run takes a new migration.
 */

/** Named so a duplicate name can be told apart from other unique violations. */
export const EVENT_NAME_UNIQUE_INDEX = 'events_name_live_unique';

/** Named so that breaking the rule answers 422 rather than 500. */
export const SALES_WINDOW_CHECK = 'ticket_types_sales_window';

export const HOLD_STATES = ['held', 'confirmed', 'released', 'expired', 'returned'] as const;
export type HoldState = (typeof HOLD_STATES)[number];

/** Named so that a second live code of one spelling in an event answers 409. */
export const PROMO_CODE_UNIQUE_INDEX = 'promo_codes_code_live_unique';

/** Named so that breaking these rules answers 422 rather than 500. */
export const PROMO_CODE_WINDOW_CHECK = 'promo_codes_window';
export const PROMO_CODE_DISCOUNT_CHECK = 'promo_codes_one_discount';

/**
 * A waiting-list entry: `waiting` in line; `offered` units set aside for it until the offer
 * expires; then `claimed` (an order took them), `lapsed` (passed on unclaimed) or `left`.
 */
export const WAITLIST_STATES = ['waiting', 'offered', 'claimed', 'lapsed', 'left'] as const;
export type WaitlistState = (typeof WAITLIST_STATES)[number];

/** One open entry (waiting or offered) per user and ticket type; named so a repeat answers 409. */
export const WAITLIST_OPEN_ENTRY_UNIQUE_INDEX = 'waitlist_entries_open_unique';
