// Database object names and enum values the schema is created with (by the migrations) and the code
// relies on. A migration is history: changing a value here needs a new migration, not an edit.

export const PAYMENT_ATTEMPT_STATES = ['initiated', 'captured', 'declined', 'refunded', 'abandoned'] as const;
