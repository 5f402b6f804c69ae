import { queryRows, type NamedStatement } from '@ticketpro/shared';
import type { Knex } from 'knex';

/** `24h`, `90m`, `2d` (REMINDER_BEFORE's form, which the configuration checks) in milliseconds. */
export function durationMs(text: string): number {
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[text.slice(-1) as 'm' | 'h' | 'd'];
  return Number(text.slice(0, -1)) * unit;
}

/**
 * Run every 10 s per instance, nearly always to queue nothing: a named statement straight through
 * the driver, not knex's runner and its query and response processing (docs/PERFORMANCE.md).
 */
const QUEUE_REMINDERS: NamedStatement = {
  name: 'messages_queue_reminders',
  text: `INSERT INTO messages (source, recipient_id, kind, order_id)
         SELECT 'order:' || o.order_id, o.user_id, 'event_reminder', o.order_id
           FROM orders o JOIN events e ON e.event_id = o.event_id
          WHERE o.payment_status = 'completed'
            AND NOT e.deleted
            AND e.date > now()
            AND e.date <= now() + make_interval(secs => $1)
            AND NOT EXISTS (
              SELECT 1 FROM messages m
               WHERE m.source = 'order:' || o.order_id AND m.recipient_id = o.user_id AND m.kind = 'event_reminder')
         ON CONFLICT (source, recipient_id, kind) DO NOTHING
         RETURNING id`,
};

/**
 * Queues the reminder of every paid order whose event starts within `beforeMs` (and has not
 * started): one per order, whichever instance's sweep gets there first and however often it
 * runs, since the order is the reminder's cause in the messages' unique key. An order paid once
 * its event is that close is reminded at the next sweep.
 *
 * Orders already reminded are left out before the insert, not only by its conflict: a row that
 * conflicts has drawn its id from the messages' sequence all the same, so every sweep would use
 * up one id per order in the window (a 4-byte id gone in days at 10 s sweeps and 100,000 paid
 * orders), and would try every insert again. The conflict clause still settles two instances'
 * sweeps at once.
 */
export async function queueReminders(db: Knex, beforeMs: number): Promise<number> {
  const queued = await queryRows<{ id: number }>(db, QUEUE_REMINDERS, [beforeMs / 1000]);
  return queued.length;
}
