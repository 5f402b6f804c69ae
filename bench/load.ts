import autocannon from 'autocannon';
import { latencyOf, type Latency } from './latency';
import type { RunLength } from './options';

export interface LoadFigures extends Latency {
  /** Answers with a 2xx status: only they count as done work and have their latency taken. */
  succeeded: number;
  perSecond: number;
  /** Every answer by status, to show what the rest were. */
  statuses: Record<number, number>;
  /** Connection errors and timeouts: requests that got no answer at all. */
  errors: number;
  seconds: number;
}

/** One autocannon run; resolves with its figures once it has ended. */
export function runLoad(options: autocannon.Options): Promise<LoadFigures> {
  const samples: number[] = [];
  const statuses: Record<number, number> = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err, result) => {
      if (err) return reject(err as Error);
      const succeeded = samples.length;
      resolve({
        succeeded,
        perSecond: succeeded / result.duration,
        statuses,
        errors: result.errors,
        seconds: result.duration,
        ...latencyOf(samples),
      });
    });
    instance.on('response', (_client, status, _bytes, responseTimeMs) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) samples.push(responseTimeMs);
    });
  });
}

/** autocannon's options for a run of that length. */
export function autocannonLength(length: RunLength): Pick<autocannon.Options, 'duration' | 'amount'> {
  return 'seconds' in length ? { duration: length.seconds } : { amount: length.requests };
}

/** A run's other answers in a few words, e.g. "3 × 409, 2 errors", or "" when every answer was a 2xx. */
export function failuresOf(figures: LoadFigures): string {
  const failed = Object.entries(figures.statuses)
    .filter(([status]) => Number(status) >= 300)
    .map(([status, count]) => `${count} × ${status}`);
  if (figures.errors > 0) failed.push(`${figures.errors} errors`);
  return failed.join(', ');
}
