import type { Knex } from 'knex';

/**
 * Moves the read model's clock to the latest recording time of `events` (the events one
 * transaction applied) unless it is past it already; in that transaction, so the clock never
 * runs ahead of the figures. Once per transaction, not per event: under load a batch of events
 * costs one statement here. Every answer carries the clock as `as_of`.
 */
export async function advanceClock(events: { time: string }[], trx: Knex.Transaction): Promise<void> {
  await advanceClockStatement(trx, events);
}

/** `advanceClock`'s statement, not yet run: to be run as a `WITH` of another, in one round trip. */
export function advanceClockStatement(trx: Knex.Transaction, events: { time: string }[]): Knex.QueryBuilder {
  const latest = events.reduce((max, { time }) => (Date.parse(time) > Date.parse(max) ? time : max), events[0].time);
  return trx('projection_clock').where('id', 1).where('as_of', '<', latest).update({ as_of: latest });
}

/** The instant the read model is current up to. */
export async function readClock(db: Knex): Promise<Date> {
  const row = await db('projection_clock').where('id', 1).first('as_of');
  return row.as_of as Date;
}
