import { availableParallelism } from 'node:os';
import type { BenchOptions } from '../options';
import { autocannonLength, runLoad, type LoadFigures } from '../load';
import { runAlternatingPacedLoads, runPacedLoad } from '../paced-load';
import { machineShares, readMachineCpu, startCpuReading, totalCpuMs, type CpuSource, type CpuSpent } from '../cpu';

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
  /** What the evenly paced run cost the cores: the hop's tail is waits for them (docs/PERFORMANCE.md, issue 14). */
  pacedCpu: HopCpu;
}

export interface HopCpu {
  /**
   * CPU ms per answered read of each process on the mode's path. Read around the whole
   * alternating run, so a process's little work at rest in the other mode's turns counts too.
   */
  perRead: Record<HopMode, CpuSpent>;
  /** The machine's cores. */
  cores: number;
  /** The share (0–1) of the machine's cores the mode's processes took during its turns. */
  coresShare: Record<HopMode, number>;
  /** The whole machine over the run, both modes, the load generator and everyone else's work. */
  machine: { busy: number; steal: number };
}

/**
 * The same read at the same fixed rate, with and without NATS between the gateway and catalog,
 * each server warmed up first (as for the read path) so that neither is measured with a cold JIT;
 * evenly paced in alternating slices, then in autocannon's bursts one mode after the other.
 */
export async function measureNatsHop(
  eventUrls: Record<HopMode, string>,
  cpuSources: Record<HopMode, CpuSource[]>,
  options: BenchOptions,
): Promise<NatsHopFigures> {
  if (options.warmupSeconds > 0) {
    for (const mode of HOP_MODES) {
      await runPacedLoad({ url: eventUrls[mode], rate: options.hopRate, length: { seconds: options.warmupSeconds } });
    }
  }
  const cpu = await Promise.all(HOP_MODES.map((mode) => startCpuReading(cpuSources[mode])));
  const machineBefore = readMachineCpu();
  const paced = await runAlternatingPacedLoads({
    urls: eventUrls,
    rate: options.hopRate,
    length: options.runLength,
    sliceSeconds: HOP_SLICE_SECONDS,
  });
  const machine = machineShares(machineBefore, readMachineCpu());
  const spent = await Promise.all(cpu.map((reading) => reading.finish()));
  const pacedCpu = { perRead: {}, cores: availableParallelism(), coresShare: {}, machine } as HopCpu;
  HOP_MODES.forEach((mode, i) => {
    const { succeeded, seconds } = paced[mode];
    pacedCpu.perRead[mode] = Object.fromEntries(Object.entries(spent[i]).map(([name, ms]) => [name, ms / succeeded]));
    pacedCpu.coresShare[mode] = totalCpuMs(spent[i]) / (seconds * 1000 * pacedCpu.cores);
  });
  const figures: NatsHopFigures = { rate: options.hopRate, paced, bursts: {}, pacedCpu } as NatsHopFigures;
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
