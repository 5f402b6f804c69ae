import type { BenchOptions, RunLength } from '../options';
import { autocannonLength, runLoad, type LoadFigures } from '../load';
import { startCpuReading, type CpuSource, type CpuSpent } from '../cpu';

/**
 * `distributed` runs the gateway as deployed (its event read cache on, EVENT_READ_CACHE_MS's
 * default): the bench reads one event in a loop, so after the first read every answer comes from
 * the cache. `uncached` is a second gateway of the same cluster with the cache off, every read
 * through NATS to catalog; the embedded process runs with the cache off too, so that it and
 * `uncached` differ by the hop alone.
 */
export const READ_MODES = ['distributed', 'uncached', 'embedded', 'baseline'] as const;
export type ReadMode = (typeof READ_MODES)[number];

export type ReadPathFigures = Record<ReadMode, LoadFigures> & {
  /**
   * CPU ms each process spent per answered read, by mode. On a machine shared with other work,
   * the throughput ratios follow the load, while this is what each read costs wherever it runs.
   */
  cpuPerRead: Record<ReadMode, CpuSpent>;
};

/**
 * `GET /api/v1/events/{id}` as fast as each server answers it, one server at a time, each
 * warmed up first so that none is measured while its JIT is still cold.
 * `eventUrls`: the same event's URL on each (the embedded mode has its own copy of it);
 * `cpuSources`: the processes that serve each mode.
 */
export async function measureReadPath(
  eventUrls: Record<ReadMode, string>,
  cpuSources: Record<ReadMode, CpuSource[]>,
  options: BenchOptions,
): Promise<ReadPathFigures> {
  const figures: Partial<ReadPathFigures> = {};
  const cpuPerRead: Partial<Record<ReadMode, CpuSpent>> = {};
  for (const mode of READ_MODES) {
    const run = (length: RunLength) =>
      runLoad({ url: eventUrls[mode], connections: options.readConnections, ...autocannonLength(length) });
    if (options.warmupSeconds > 0) await run({ seconds: options.warmupSeconds });
    const cpu = await startCpuReading(cpuSources[mode]);
    const measured = await run(options.runLength);
    cpuPerRead[mode] = perRead(await cpu.finish(), measured.succeeded);
    figures[mode] = measured;
  }
  return { ...(figures as Record<ReadMode, LoadFigures>), cpuPerRead: cpuPerRead as Record<ReadMode, CpuSpent> };
}

function perRead(spent: CpuSpent, reads: number): CpuSpent {
  return Object.fromEntries(Object.entries(spent).map(([name, ms]) => [name, reads > 0 ? ms / reads : NaN]));
}
