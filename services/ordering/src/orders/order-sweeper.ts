import type { OrderingRuntime } from '../runtime';
import { callsFrom } from './catalog-inventory';
import { sweepExpiredOrders } from './sweep-expired-orders';

/** Runs the expiry sweep every `intervalMs`, one run at a time; `stop()` waits for the run under way. */
export class OrderSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly runtime: OrderingRuntime,
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
    const { logger, broker } = this.runtime;
    this.running = sweepExpiredOrders(this.runtime, callsFrom(broker))
      .then(({ expired, settled }) => {
        if (expired + settled > 0) logger.info({ expired, settled }, 'expired orders swept');
      })
      .catch((err) => logger.warn({ err }, 'sweeping expired orders failed; will retry'))
      .finally(() => {
        this.running = undefined;
      });
  }
}
