/**
 * Names the schema defines and the code relies on. Migrations import them from here (never the
 * other way round), so the two cannot drift apart; changing one once a migration has run takes
 * a new migration.
 */

/** Named so a duplicate registration can be told apart from other unique violations. */
export const EMAIL_UNIQUE_INDEX = 'users_email_live_unique';
