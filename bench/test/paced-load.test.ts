import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { runAlternatingPacedLoads } from '../paced-load';

/** A server that answers 204 at once and notes when each request arrived. */
async function recordingServer(): Promise<{ url: string; arrivals: number[]; close(): Promise<void> }> {
  const arrivals: number[] = [];
  const server = http.createServer((_req, res) => {
    arrivals.push(performance.now());
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    arrivals,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('runAlternatingPacedLoads', () => {
  it('gives each server the whole length, in turns of one slice each', async () => {
    const [first, second] = await Promise.all([recordingServer(), recordingServer()]);
    try {
      // 100 requests/s in slices of 0.1 s: 10 requests a turn, 3 turns each (the last one 5 requests).
      const figures = await runAlternatingPacedLoads({
        urls: { first: first.url, second: second.url },
        rate: 100,
        length: { requests: 25 },
        sliceSeconds: 0.1,
      });

      expect(first.arrivals).toHaveLength(25);
      expect(second.arrivals).toHaveLength(25);
      for (const name of ['first', 'second'] as const) {
        expect(figures[name]).toMatchObject({ succeeded: 25, errors: 0, statuses: { 204: 25 } });
        // Three turns of about 0.1, 0.1 and 0.05 s: the rate is that of the turns, not of the whole run.
        expect(figures[name].seconds).toBeGreaterThan(0.2);
        expect(figures[name].seconds).toBeLessThan(0.5);
      }
      // Turns: every request of a slice to one server arrives before the next slice's first to the other.
      const turns = [
        first.arrivals.slice(0, 10),
        second.arrivals.slice(0, 10),
        first.arrivals.slice(10, 20),
        second.arrivals.slice(10, 20),
        first.arrivals.slice(20),
        second.arrivals.slice(20),
      ];
      for (let i = 1; i < turns.length; i++) expect(Math.min(...turns[i])).toBeGreaterThan(Math.max(...turns[i - 1]));
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
