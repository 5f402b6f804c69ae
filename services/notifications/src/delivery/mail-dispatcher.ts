import type { Knex } from 'knex';
import { sendDueMessages, type Dispatcher } from './dispatch';

/**
 * An instance's sender of queued mail, one drain at a time. `wakeAfterCommit` starts a drain
 * as soon as the transaction that queued a message commits (or one more right after the drain
 * under way, which may have looked before the commit), so a confirmation leaves within
 * milliseconds of its order and a rush is sent as fast as it comes. A drain sends until nothing
 * due is left and then ends: an idle instance does nothing until it is woken or polled.
 * `drain`, which the periodic poll calls (`MAIL_DISPATCH_INTERVAL_MS`), is for what no wake
 * announces: retries coming due, and messages an instance queued and then died before sending.
 */
export class MailDispatcher {
  private draining: Promise<void> | undefined;
  /** Set by every wake; a drain goes round again while it is set, so that no wake is missed. */
  private woken = false;
  private stopped = false;

  constructor(private readonly dispatcher: Dispatcher) {}

  /** Wakes the dispatcher once `trx` has committed (its messages are visible then); nothing if it rolls back. */
  wakeAfterCommit(trx: Knex.Transaction): void {
    trx.executionPromise.then(
      () => void this.drain(),
      () => undefined,
    );
  }

  /** Sends every due message; resolves once this drain (or the one under way) is over. Never rejects. */
  drain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.woken = true;
    this.draining ??= this.drainWhileWoken();
    return this.draining;
  }

  /** Stops draining (after the message being sent, if any) and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.draining;
  }

  private async drainWhileWoken(): Promise<void> {
    const keepGoing = () => !this.stopped;
    while (this.woken && !this.stopped) {
      this.woken = false;
      try {
        await sendDueMessages(this.dispatcher, keepGoing);
      } catch (err) {
        // The database is away, say: the next wake or poll tries again.
        this.dispatcher.logger.warn({ err }, 'mail dispatch failed; will retry');
        break;
      }
    }
    // In the same turn as the last look at `woken`: a wake from now on starts a drain of its own.
    this.draining = undefined;
  }
}
