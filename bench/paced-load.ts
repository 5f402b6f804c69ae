import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import { latencyOf } from './latency';
import type { LoadFigures } from './load';
import type { RunLength } from './options';

/**
 * Sockets the paced load may open, one request at a time on each (no pipelining). At a steady
 * rate few requests are in flight at once; more sockets only open when answers fall behind,
 * which the latencies then show.
 */
export const MAX_SOCKETS = 32;

/** A request unanswered for this long counts as an error, as autocannon's default timeout does. */
const REQUEST_TIMEOUT_MS = 10_000;

/** What one paced load gathered, before its percentiles: loads alternating on one server add up. */
interface PacedAnswers {
  samples: number[];
  statuses: Record<number, number>;
  errors: number;
  seconds: number;
}

/**
 * GETs `url` at `rate` requests per second, spaced evenly (one every 2 ms at 500/s), each on a
 * kept-alive socket, whether or not the earlier ones have been answered: an open-loop load, as
 * independent clients send it. autocannon's fixed rate instead sends each connection's share of
 * a second back to back and then waits, so its latencies are those of a few requests queueing
 * behind each other at full speed for part of every second. A request's latency runs from the
 * moment it is written until its answer's last byte.
 */
export async function runPacedLoad(options: { url: string; rate: number; length: RunLength }): Promise<LoadFigures> {
  const { url, rate, length } = options;
  const pool = pacedPool(url);
  try {
    return figuresOf(await sendPaced(url, pool, rate, requestsIn(length, rate)));
  } finally {
    await pool.destroy();
  }
}

/**
 * The paced load on several servers in turn, `sliceSeconds` each, until each has had `length`:
 * on a machine whose load changes from one second to the next (other work on the same cores),
 * every server is measured under the same conditions, where one run after another would compare
 * two different minutes of the machine.
 */
export async function runAlternatingPacedLoads<K extends string>(options: {
  urls: Record<K, string>;
  rate: number;
  length: RunLength;
  sliceSeconds: number;
}): Promise<Record<K, LoadFigures>> {
  const { urls, rate, length, sliceSeconds } = options;
  const names = Object.keys(urls) as K[];
  const pools = new Map(names.map((name) => [name, pacedPool(urls[name])]));
  const gathered = new Map<K, PacedAnswers>(
    names.map((name) => [name, { samples: [], statuses: {}, errors: 0, seconds: 0 }]),
  );
  const total = requestsIn(length, rate);
  const slice = Math.max(1, Math.round(sliceSeconds * rate));
  try {
    for (let sent = 0; sent < total; sent += slice) {
      for (const name of names) {
        const answers = await sendPaced(urls[name], pools.get(name)!, rate, Math.min(slice, total - sent));
        const sum = gathered.get(name)!;
        for (const sample of answers.samples) sum.samples.push(sample);
        for (const [status, count] of Object.entries(answers.statuses)) {
          sum.statuses[Number(status)] = (sum.statuses[Number(status)] ?? 0) + count;
        }
        sum.errors += answers.errors;
        sum.seconds += answers.seconds;
      }
    }
  } finally {
    await Promise.all([...pools.values()].map((pool) => pool.destroy()));
  }
  return Object.fromEntries(names.map((name) => [name, figuresOf(gathered.get(name)!)])) as Record<K, LoadFigures>;
}

/**
 * Kept-alive sockets to `url`'s server. undici rather than node:http: the load generator runs on
 * the cores it measures, and node:http's request and response streams cost it more CPU per
 * request than undici's handler (docs/PERFORMANCE.md, issue 14 seventh pass).
 */
const pacedPool = (url: string) =>
  new Pool(new URL(url).origin, {
    connections: MAX_SOCKETS,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });

const requestsIn = (length: RunLength, rate: number) =>
  'seconds' in length ? Math.round(length.seconds * rate) : length.requests;

function figuresOf({ samples, statuses, errors, seconds }: PacedAnswers): LoadFigures {
  return {
    succeeded: samples.length,
    perSecond: samples.length / seconds,
    statuses,
    errors,
    seconds,
    ...latencyOf(samples),
  };
}

/** `total` requests to `url` at `rate`, on `pool`'s sockets; resolves once every one is settled. */
function sendPaced(url: string, pool: Pool, rate: number, total: number): Promise<PacedAnswers> {
  const interval = 1000 / rate;
  const { pathname, search } = new URL(url);
  const request: Dispatcher.DispatchOptions = { method: 'GET', path: pathname + search };
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
      resolve({ samples, statuses, errors, seconds: (performance.now() - start) / 1000 });
    };
    const send = () => {
      const sentAt = performance.now();
      let status = 0;
      // undici's own handler interface: the answer's status and end, without a stream per
      // response. The pool queues the request while all its sockets are busy.
      pool.dispatch(request, {
        onRequestStart() {},
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData() {},
        onResponseEnd() {
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status >= 200 && status < 300) samples.push(performance.now() - sentAt);
          settle();
        },
        onResponseError() {
          errors += 1;
          settle();
        },
      });
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
