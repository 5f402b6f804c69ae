import path from 'node:path';
import { REPO_ROOT } from '@ticketpro/tests/support/processes';

/**
 * How long each measured load run lasts. The smoke run counts requests instead: its only
 * question is whether every scenario still answers, and a time limit would leave a slow
 * machine with no answers at all.
 */
export type RunLength = { seconds: number } | { requests: number };

/** The scenarios by the names `BENCH_ONLY` takes, in the order the bench runs them. */
export const SCENARIOS = ['start', 'read', 'hop', 'checkout', 'flash-sale', 'login', 'failover'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** How big each scenario is. The smoke sizes only prove that every scenario still runs. */
export interface BenchOptions {
  smoke: boolean;
  /** The scenarios to run: all of them unless `BENCH_ONLY` names some. */
  scenarios: ReadonlySet<Scenario>;
  runLength: RunLength;
  /** Seconds of unmeasured load before each read-path run, so every server is equally warm. */
  warmupSeconds: number;
  /** Where the report goes. */
  output: string;
  readConnections: number;
  /** The fixed rate at which the NATS hop is measured. */
  hopRate: number;
  checkoutConnections: number;
  checkoutBuyers: number;
  flashSaleBuyers: number;
  flashSaleUnits: number;
  loginConnections: number;
  loginUsers: number;
}

/**
 * `BENCH_DURATION` (seconds per run), `BENCH_OUTPUT` (report path), `BENCH_SMOKE=1` (tiny: a
 * few requests per run, a 50-buyer sale), `BENCH_ONLY` (comma-separated scenarios to run),
 * `BENCH_HOP_RATE` (the hop's requests per second).
 */
export function benchOptionsFromEnv(env: NodeJS.ProcessEnv): BenchOptions {
  const smoke = env.BENCH_SMOKE === '1';
  const seconds = positiveNumber(env, 'BENCH_DURATION', 'seconds', 10);
  const hopRate = positiveNumber(env, 'BENCH_HOP_RATE', 'requests per second', smoke ? 100 : 500);
  return {
    smoke,
    scenarios: scenariosFromEnv(env.BENCH_ONLY),
    runLength: smoke ? { requests: 20 } : { seconds },
    warmupSeconds: smoke ? 0 : 2,
    output: path.resolve(env.BENCH_OUTPUT ?? path.join(REPO_ROOT, 'docs', 'PERFORMANCE.md')),
    readConnections: smoke ? 4 : 16,
    hopRate,
    checkoutConnections: smoke ? 4 : 32,
    checkoutBuyers: smoke ? 5 : 20,
    flashSaleBuyers: smoke ? 50 : 1000,
    flashSaleUnits: smoke ? 10 : 100,
    loginConnections: smoke ? 2 : 8,
    loginUsers: smoke ? 3 : 10,
  };
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, unit: string, fallback: number): number {
  const value = env[name] ? Number(env[name]) : fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number of ${unit}, not "${env[name]}"`);
  return value;
}

/** `BENCH_ONLY=read,hop`: those scenarios only; unset or empty, all of them. A misspelt name fails rather than run nothing. */
function scenariosFromEnv(only: string | undefined): ReadonlySet<Scenario> {
  const names = (only ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) return new Set(SCENARIOS);
  const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_ONLY names no scenario "${unknown.join('", "')}"; the scenarios are ${SCENARIOS.join(', ')}`,
    );
  }
  return new Set(names as Scenario[]);
}
