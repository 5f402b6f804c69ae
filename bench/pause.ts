import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'nats';
import { Client } from 'pg';
import type { RunningProcess } from '@ticketpro/tests/support/processes';

/**
 * Runs `work` with `processes` stopped (SIGSTOP to each one's process group) and continues them
 * afterwards, whatever `work` does: they keep their connections but take no CPU meanwhile.
 */
export async function whilePaused<T>(processes: RunningProcess[], work: () => Promise<T>): Promise<T> {
  const signal = (name: NodeJS.Signals) => {
    for (const proc of processes) process.kill(-proc.child.pid!, name);
  };
  signal('SIGSTOP');
  try {
    return await work();
  } finally {
    signal('SIGCONT');
  }
}

/**
 * Resolves once every durable consumer of `stream` has been delivered, and has acknowledged,
 * every event in it: what consumers that were paused had to catch up on is handled.
 */
export async function consumersCaughtUp(natsUrl: string, stream: string, timeoutMs = 120_000): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = (await jsm.consumers.list(stream).next()).filter(
        (c) => c.num_pending > 0 || c.num_ack_pending > 0,
      );
      if (behind.length === 0) return;
      if (Date.now() > deadline) {
        const names = behind.map((c) => `${c.name} (${c.num_pending} + ${c.num_ack_pending})`).join(', ');
        throw new Error(`consumers still behind after ${timeoutMs} ms: ${names}`);
      }
      await sleep(500);
    }
  } finally {
    await nc.close();
  }
}

/**
 * Resolves once notifications has no message due and unsent: a backlog of confirmations that
 * a run queued is sent before the next run is measured, so that composing them is not charged
 * to it (nor takes CPU from the single-process checkout, which sends none).
 */
export async function queuedMailSent(databaseUrl: string, timeoutMs = 120_000): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await db.query<{ due: number }>(
        "SELECT count(*)::int AS due FROM notifications.messages WHERE status = 'queued' AND next_attempt_at <= now()",
      );
      if (rows[0].due === 0) return;
      if (Date.now() > deadline) throw new Error(`${rows[0].due} messages still queued after ${timeoutMs} ms`);
      await sleep(500);
    }
  } finally {
    await db.end();
  }
}
