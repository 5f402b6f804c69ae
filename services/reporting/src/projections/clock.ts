import type { Knex } from 'knex';

/**
 * Moves the read model's clock to `time` (an event's recording time) unless it is past it
 * already; in the transaction that applies the event, so the clock never runs ahead of the
 * figures. Every answer carries it as `as_of`.
 */
export async function advanceClock(trx: Knex.Transaction, time: string): Promise<void> {
  await trx('projection_clock').where('id', 1).where('as_of', '<', time).update({ as_of: time });
}

/** The instant the read model is current up to. */
export async function readClock(db: Knex): Promise<Date> {
  const row = await db('projection_clock').where('id', 1).first('as_of');
  return row.as_of as Date;
}
