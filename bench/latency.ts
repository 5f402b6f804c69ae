export interface Latency {
  /** Milliseconds. */
  p50: number;
  p99: number;
}

/**
 * Percentiles of the exact samples (nearest rank). autocannon's own histogram counts whole
 * milliseconds, too coarse for a hop that may cost a fraction of one.
 */
export function latencyOf(samplesMs: number[]): Latency {
  if (samplesMs.length === 0) return { p50: NaN, p99: NaN };
  const sorted = Float64Array.from(samplesMs).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: at(50), p99: at(99) };
}
