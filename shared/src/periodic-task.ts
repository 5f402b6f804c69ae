import type { Logger } from './logger';

/**
 * Runs `task` every `intervalMs`, one run at a time (a run still going when the next is due is
 * not doubled); a failed run is logged and tried again at the next tick. `stop()` waits for the
 * run under way, so a service can close its database after it.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly name: string,
    private readonly task: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
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
    this.running = this.task()
      .catch((err) => this.logger.warn({ err, task: this.name }, `${this.name} failed; will retry`))
      .finally(() => {
        this.running = undefined;
      });
  }
}
