import type { BenchOptions } from '../options';
import { autocannonLength, runLoad, type LoadFigures } from '../load';
import { runAlternatingPacedLoads, runPacedLoad } from '../paced-load';

/**
 * autocannon paces a fixed rate per connection and second: each connection sends its share
 * back to back, then waits for the next second. Few connections keep that burst from queueing
 * on itself; five still give each request 10 ms to keep up with 500 requests/s.
 */
export const HOP_BURST_CONNECTIONS = 5;

export const HOP_MODES = ['distributed', 'embedded'] as const;

/**
 * The evenly paced load alternates between the two modes in slices this long: on a shared
 * machine the load changes within seconds, and two runs of 10 s one after the other measured the
 * machine's minute as much as the hop (docs/PERFORMANCE.md, issue 14 sixth pass).
 */
export const HOP_SLICE_SECONDS = 1;
export type HopMode = (typeof HOP_MODES)[number];

export interface NatsHopFigures {
  rate: number;
  /**
   * One request every 1/rate s, whether or not the earlier ones were answered: the hop's own
   * latency. The two modes alternate in slices of HOP_SLICE_SECONDS.
   */
  paced: Record<HopMode, LoadFigures>;
  /** autocannon's fixed rate: each second's requests in bursts on five connections. */
  bursts: Record<HopMode, LoadFigures>;
}

/**
 * The same read at the same fixed rate, with and without NATS between the gateway and catalog,
 * each server warmed up first (as for the read path) so that neither is measured with a cold JIT;
 * evenly paced in alternating slices, then in autocannon's bursts one mode after the other.
 */
export async function measureNatsHop(
  eventUrls: Record<HopMode, string>,
  options: BenchOptions,
): Promise<NatsHopFigures> {
  if (options.warmupSeconds > 0) {
    for (const mode of HOP_MODES) {
      await runPacedLoad({ url: eventUrls[mode], rate: options.hopRate, length: { seconds: options.warmupSeconds } });
    }
  }
  const paced = await runAlternatingPacedLoads({
    urls: eventUrls,
    rate: options.hopRate,
    length: options.runLength,
    sliceSeconds: HOP_SLICE_SECONDS,
  });
  const figures: NatsHopFigures = { rate: options.hopRate, paced, bursts: {} } as NatsHopFigures;
  for (const mode of HOP_MODES) {
    figures.bursts[mode] = await runLoad({
      url: eventUrls[mode],
      connections: HOP_BURST_CONNECTIONS,
      overallRate: options.hopRate,
      ...autocannonLength(options.runLength),
    });
  }
  return figures;
}
