/**
 * What `commit` answers for each item of a batch, in the batch's order: its result, or why it
 * failed (one item failing need not fail the others).
 */
export type BatchOutcomes<R> = PromiseSettledResult<R>[];

/**
 * Group commit: items submitted while a batch is in flight wait, and the next batch takes all
 * of them (up to `maxBatch`), so that under a rush N items cost one round of `commit` instead of
 * N, while an item submitted when nothing is in flight goes at once, alone. Batches run one at a
 * time, in the order their items were submitted. Every submitted item is settled: by its outcome,
 * or, when `commit` itself throws, by that error.
 */
export class GroupCommit<T, R> {
  private readonly queue: { item: T; resolve: (value: R) => void; reject: (reason: unknown) => void }[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly commit: (items: T[]) => Promise<BatchOutcomes<R>>,
    private readonly maxBatch = 64,
  ) {}

  /** Items waiting for a batch (not the one in flight). */
  get waiting(): number {
    return this.queue.length;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves once nothing is queued or in flight. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const outcomes = await this.commit(batch.map((entry) => entry.item));
          batch.forEach((entry, i) => {
            const outcome = outcomes[i];
            if (outcome.status === 'fulfilled') entry.resolve(outcome.value);
            else entry.reject(outcome.reason);
          });
        } catch (err) {
          for (const entry of batch) entry.reject(err);
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}
