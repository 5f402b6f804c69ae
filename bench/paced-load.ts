import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { latencyOf } from './latency';
import type { LoadFigures } from './load';
import type { RunLength } from './options';

/**
 * Sockets the paced load may open. At a steady rate few requests are in flight at once; more
 * sockets only open when answers fall behind, which the latencies then show.
 */
const MAX_SOCKETS = 32;

/** A request unanswered for this long counts as an error, as autocannon's default timeout does. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * GETs `url` at `rate` requests per second, spaced evenly (one every 2 ms at 500/s), each on a
 * kept-alive socket, whether or not the earlier ones have been answered: an open-loop load, as
 * independent clients send it. autocannon's fixed rate instead sends each connection's share of
 * a second back to back and then waits, so its latencies are those of a few requests queueing
 * behind each other at full speed for part of every second. A request's latency runs from the
 * moment it is written until its answer's last byte.
 */
export function runPacedLoad(options: { url: string; rate: number; length: RunLength }): Promise<LoadFigures> {
  const { url, rate, length } = options;
  const total = 'seconds' in length ? Math.round(length.seconds * rate) : length.requests;
  const interval = 1000 / rate;
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  const samples: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  let sent = 0;
  let settled = 0;
  const start = performance.now();

  return new Promise((resolve) => {
    const settle = () => {
      settled += 1;
      if (settled < total) return;
      agent.destroy();
      const seconds = (performance.now() - start) / 1000;
      resolve({
        succeeded: samples.length,
        perSecond: samples.length / seconds,
        statuses,
        errors,
        seconds,
        ...latencyOf(samples),
      });
    };
    const send = () => {
      const sentAt = performance.now();
      // Once per request, whichever comes first: its answer's end, or an error on the request or the answer.
      let done = false;
      const finish = (status: number | undefined) => {
        if (done) return;
        done = true;
        if (status === undefined) errors += 1;
        else {
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status >= 200 && status < 300) samples.push(performance.now() - sentAt);
        }
        settle();
      };
      const request = http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => finish(res.statusCode ?? 0));
        res.on('error', () => finish(undefined));
      });
      request.on('error', () => finish(undefined));
      request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error('no answer in time')));
    };
    // Each tick sends every request that is due by now, so a late timer catches up rather than
    // lowering the rate; then it sleeps until the next one is due.
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      while (sent < due) {
        sent += 1;
        send();
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
}
