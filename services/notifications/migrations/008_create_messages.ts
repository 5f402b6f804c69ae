import type { Knex } from 'knex';
import { NOTIFICATION_KINDS, NOTIFICATION_STATUSES } from '@ticketpro/shared';

export const name = '008_create_messages';

/**
 * Every message, from the moment it is due until it is sent or given up on. The unique
 * (source, recipient, kind) key sends each once: `source` is the id of the domain event that
 * caused it (a redelivered event finds its message there already), or for a reminder the order
 * it is for, or for a resend a fresh id of its own.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('messages', (t) => {
    t.increments('id').primary();
    t.text('source').notNullable();
    t.integer('recipient_id').notNullable();
    t.enu('kind', [...NOTIFICATION_KINDS]).notNullable();
    t.integer('order_id');
    // What the message is about beyond the projections (the tickets a delivery carries).
    t.jsonb('details').notNullable().defaultTo('{}');
    t.enu('status', [...NOTIFICATION_STATUSES])
      .notNullable()
      .defaultTo('queued');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).defaultTo(knex.fn.now());
    t.text('provider_message_id');
    t.text('last_error');
    // Who asked for a resend, for its rate limit; null for messages events caused.
    t.integer('requested_by');
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['source', 'recipient_id', 'kind'], { indexName: 'messages_once' });
  });
  // The dispatcher's queue: queued messages by when they are due.
  await knex.raw("CREATE INDEX messages_due ON messages (next_attempt_at) WHERE status = 'queued'");
  await knex.raw('CREATE INDEX messages_listed ON messages (created_at DESC, id DESC)');
  await knex.raw(
    'CREATE INDEX messages_resent_by ON messages (requested_by, created_at) WHERE requested_by IS NOT NULL',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('messages');
}
