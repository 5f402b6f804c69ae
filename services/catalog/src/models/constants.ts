// Database object names and enum values the schema is created with (by the migrations) and the code
// relies on. A migration is history: changing a value here needs a new migration, not an edit.

/** Named so a duplicate name can be told apart from other unique violations. */
export const EVENT_NAME_UNIQUE_INDEX = 'events_name_live_unique';

/** Named so that breaking the rule answers 422 rather than 500. */
export const SALES_WINDOW_CHECK = 'ticket_types_sales_window';

export const HOLD_STATES = ['held', 'confirmed', 'released', 'expired', 'returned'] as const;
