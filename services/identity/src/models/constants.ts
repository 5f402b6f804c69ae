// Database object names and enum values the schema is created with (by the migrations) and the code
// relies on. A migration is history: changing a value here needs a new migration, not an edit.

/** Named so a duplicate registration can be told apart from other unique violations. */
export const EMAIL_UNIQUE_INDEX = 'users_email_live_unique';
