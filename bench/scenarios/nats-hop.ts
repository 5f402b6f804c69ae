import type { BenchOptions } from '../options';
import { autocannonLength, runLoad, type LoadFigures } from '../load';

/**
 * autocannon paces a fixed rate per connection and second: each connection sends its share
 * back to back, then waits for the next second. Few connections keep that burst from queueing
 * on itself; five still give each request 10 ms to keep up with 500 requests/s.
 */
const HOP_CONNECTIONS = 5;

export interface NatsHopFigures {
  rate: number;
  distributed: LoadFigures;
  embedded: LoadFigures;
}

/** The same read at the same fixed rate, with and without NATS between the gateway and catalog. */
export async function measureNatsHop(
  eventUrls: { distributed: string; embedded: string },
  options: BenchOptions,
): Promise<NatsHopFigures> {
  const run = (url: string) =>
    runLoad({
      url,
      connections: HOP_CONNECTIONS,
      overallRate: options.hopRate,
      ...autocannonLength(options.runLength),
    });
  const distributed = await run(eventUrls.distributed);
  const embedded = await run(eventUrls.embedded);
  return { rate: options.hopRate, distributed, embedded };
}
