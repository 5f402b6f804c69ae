import type { Knex } from 'knex';
import type { Logger } from '@ticketpro/shared';
import { sweepExpiredHolds } from './sweep-expired-holds';

/** Runs the sweep every `intervalMs`, one run at a time; `stop()` waits for the run under way. */
export class HoldSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly db: Knex,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.run(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private run(): void {
    if (this.running) return;
    this.running = sweepExpiredHolds(this.db)
      .then((units) => {
        if (units > 0) this.logger.info({ units }, 'expired holds swept');
      })
      .catch((err) => this.logger.warn({ err }, 'sweeping expired holds failed; will retry'))
      .finally(() => {
        this.running = undefined;
      });
  }
}
