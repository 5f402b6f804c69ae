import type { Knex } from 'knex';
import { NOTIFICATION_KINDS } from '@ticketpro/shared';

export const name = '010_transfer_messages';

/**
 * Ticket transfer's messages. An offer goes to an email that may have no account, so a message
 * names its recipient by account or by address; the offer's message is sent once per event as
 * the others are, by a key of its own. A ticket handed to someone else leaves its order's
 * tickets (`holder_id`, its new holder): the buyer's resends no longer carry it, and its PDF
 * names its holder.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.text('recipient_email');
  });
  await knex.raw('ALTER TABLE messages ALTER COLUMN recipient_id DROP NOT NULL');
  await knex.raw(
    'ALTER TABLE messages ADD CONSTRAINT messages_recipient CHECK (recipient_id IS NOT NULL OR recipient_email IS NOT NULL)',
  );
  await knex.raw('ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_kind_check');
  // DDL takes no bind parameters; the kinds are our own constants.
  const kinds = NOTIFICATION_KINDS.map((kind) => `'${kind}'`).join(', ');
  await knex.raw(`ALTER TABLE messages ADD CONSTRAINT messages_kind_check CHECK (kind IN (${kinds}))`);
  await knex.raw('CREATE UNIQUE INDEX messages_once_by_address ON messages (source, kind) WHERE recipient_id IS NULL');
  await knex.schema.alterTable('order_tickets', (t) => {
    // Null while the buyer holds it.
    t.integer('holder_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('order_tickets', (t) => {
    t.dropColumn('holder_id');
  });
  await knex('messages').whereNull('recipient_id').delete();
  await knex.raw('DROP INDEX messages_once_by_address');
  await knex.raw('ALTER TABLE messages DROP CONSTRAINT messages_recipient');
  await knex.raw('ALTER TABLE messages ALTER COLUMN recipient_id SET NOT NULL');
  await knex.schema.alterTable('messages', (t) => {
    t.dropColumn('recipient_email');
  });
}
