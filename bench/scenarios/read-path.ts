import type { BenchOptions, RunLength } from '../options';
import { autocannonLength, runLoad, type LoadFigures } from '../load';

export const READ_MODES = ['distributed', 'embedded', 'baseline'] as const;
export type ReadMode = (typeof READ_MODES)[number];

export type ReadPathFigures = Record<ReadMode, LoadFigures>;

/**
 * `GET /api/v1/events/{id}` as fast as each server answers it, one server at a time, each
 * warmed up first so that none is measured while its JIT is still cold.
 * `eventUrls`: the same event's URL on each (the embedded mode has its own copy of it).
 */
export async function measureReadPath(
  eventUrls: Record<ReadMode, string>,
  options: BenchOptions,
): Promise<ReadPathFigures> {
  const figures: Partial<ReadPathFigures> = {};
  for (const mode of READ_MODES) {
    const run = (length: RunLength) =>
      runLoad({ url: eventUrls[mode], connections: options.readConnections, ...autocannonLength(length) });
    if (options.warmupSeconds > 0) await run({ seconds: options.warmupSeconds });
    figures[mode] = await run(options.runLength);
  }
  return figures as ReadPathFigures;
}
