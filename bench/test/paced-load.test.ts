import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { MAX_SOCKETS, runAlternatingPacedLoads, runPacedLoad } from '../paced-load';

interface RecordingServer {
  url: string;
  /** When each request arrived, in performance.now() time. */
  arrivals: number[];
  /** TCP connections the server accepted. */
  connections(): number;
  close(): Promise<void>;
}

/** A server that notes when each request arrived and answers it with `answer` (by default 204 at once). */
async function recordingServer(
  answer: (res: http.ServerResponse, index: number) => void = (res) => res.writeHead(204).end(),
): Promise<RecordingServer> {
  const arrivals: number[] = [];
  let connections = 0;
  const server = http.createServer((_req, res) => {
    arrivals.push(performance.now());
    answer(res, arrivals.length - 1);
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    arrivals,
    connections: () => connections,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('runPacedLoad', () => {
  it('sends every request on schedule whether or not earlier ones were answered (open loop)', async () => {
    // The server answers nothing until all 20 requests have arrived: a load that waited for an
    // answer before sending the next request would never get there.
    const held: http.ServerResponse[] = [];
    const server = await recordingServer((res) => {
      held.push(res);
      if (held.length === 20) for (const waiting of held) waiting.writeHead(204).end();
    });
    try {
      const figures = await runPacedLoad({ url: server.url, rate: 200, length: { requests: 20 } });

      expect(figures).toMatchObject({ succeeded: 20, errors: 0, statuses: { 204: 20 } });
      // The first request waited for the last one's arrival, about 95 ms later.
      expect(figures.p99).toBeGreaterThanOrEqual(server.arrivals[19] - server.arrivals[0]);
    } finally {
      await server.close();
    }
  });

  it("times a request until its answer's last byte, not its headers", async () => {
    const server = await recordingServer((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first half, ');
      setTimeout(() => res.end('second half'), 80);
    });
    try {
      const figures = await runPacedLoad({ url: server.url, rate: 100, length: { requests: 5 } });

      expect(figures).toMatchObject({ succeeded: 5, errors: 0, statuses: { 200: 5 } });
      // The headers and first half come at once; the last byte 80 ms later.
      expect(figures.p50).toBeGreaterThanOrEqual(80);
    } finally {
      await server.close();
    }
  });

  it('counts every status, and times only the successful answers', async () => {
    const server = await recordingServer((res, index) => res.writeHead(index % 2 === 0 ? 200 : 503).end());
    try {
      const figures = await runPacedLoad({ url: server.url, rate: 200, length: { requests: 10 } });

      expect(figures).toMatchObject({ succeeded: 5, errors: 0, statuses: { 200: 5, 503: 5 } });
    } finally {
      await server.close();
    }
  });

  it('counts a request whose connection fails as an error', async () => {
    // A connection that closes before answering: each request on it fails.
    const server = await recordingServer((res) => res.socket?.destroy());
    const refused = await recordingServer();
    await refused.close();
    try {
      const dropped = await runPacedLoad({ url: server.url, rate: 200, length: { requests: 4 } });
      const nobodyListens = await runPacedLoad({ url: refused.url, rate: 200, length: { requests: 4 } });

      expect(dropped).toMatchObject({ succeeded: 0, errors: 4, statuses: {} });
      expect(nobodyListens).toMatchObject({ succeeded: 0, errors: 4, statuses: {} });
    } finally {
      await server.close();
    }
  });

  it('keeps its sockets alive, and opens at most MAX_SOCKETS however many requests wait', async () => {
    const quick = await recordingServer();
    // Each answer held 300 ms at 500 requests/s: 150 would be in flight on sockets of their own.
    const slow = await recordingServer((res) => setTimeout(() => res.writeHead(204).end(), 300));
    try {
      const quickFigures = await runPacedLoad({ url: quick.url, rate: 50, length: { requests: 20 } });
      const slowFigures = await runPacedLoad({ url: slow.url, rate: 500, length: { requests: 100 } });

      expect(quickFigures.succeeded).toBe(20);
      // One socket for requests 20 ms apart (a socket a request without keep-alive); a few more if
      // the loaded machine held an answer past the next request's time.
      expect(quick.connections()).toBeLessThanOrEqual(5);
      expect(slowFigures.succeeded).toBe(100);
      expect(slow.connections()).toBe(MAX_SOCKETS);
    } finally {
      await Promise.all([quick.close(), slow.close()]);
    }
  });
});

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
      // Each server keeps its sockets between its turns (25 connections each without keep-alive).
      expect(first.connections()).toBeLessThanOrEqual(8);
      expect(second.connections()).toBeLessThanOrEqual(8);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
