import type { Knex } from 'knex';
import { NOTIFICATION_KINDS } from '@ticketpro/shared';

export const name = '009_add_waitlist_offer_messages';

const kindCheck = (kinds: readonly string[]) =>
  `ALTER TABLE messages ADD CONSTRAINT messages_kind_check CHECK (kind IN (${kinds.map((k) => `'${k}'`).join(', ')}))`;

/**
 * Messages of a new kind, `waitlist_offer`, which are about no order. The kinds are a CHECK
 * constraint (knex's `enu`), written when 008 ran, so it is written again with every kind.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_kind_check');
  await knex.raw(kindCheck(NOTIFICATION_KINDS));
}

export async function down(knex: Knex): Promise<void> {
  await knex('messages').where('kind', 'waitlist_offer').delete();
  await knex.raw('ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_kind_check');
  await knex.raw(kindCheck(NOTIFICATION_KINDS.filter((kind) => kind !== 'waitlist_offer')));
}
