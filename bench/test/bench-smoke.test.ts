import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { SERVICE_NAMES } from '@ticketpro/shared';
import { adminDatabaseUrl } from '@ticketpro/shared/testing';
import { benchOptionsFromEnv } from '../options';
import { runBench } from '../harness';
import { Teardown } from '../teardown';
import { renderResults, writeReport, type BenchResults } from '../report';
import type { LoadFigures } from '../load';

jest.setTimeout(300_000);

const SMOKE_REQUESTS = 20;

async function benchDatabases(): Promise<string[]> {
  const client = new Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'tp\\_bench\\_%'",
    );
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

/** Every request of the run answered with a 2xx, in a time that is a latency and not a timeout. */
function expectAllAnswered(figures: LoadFigures) {
  expect(figures.succeeded).toBe(SMOKE_REQUESTS);
  expect(figures.errors).toBe(0);
  expect(Object.keys(figures.statuses).every((status) => Number(status) < 300)).toBe(true);
  expect(figures.perSecond).toBeGreaterThan(0);
  expectSaneLatency(figures);
}

function expectSaneLatency({ p50, p99 }: { p50: number; p99: number }) {
  expect(p50).toBeGreaterThan(0);
  expect(p99).toBeGreaterThanOrEqual(p50);
  expect(p99).toBeLessThan(10_000);
}

/** Without BENCH_ONLY every scenario runs, and each has its figures. */
function everyScenarioRan(results: BenchResults): Required<BenchResults> {
  const missing = (
    [
      'deployment',
      'readPath',
      'natsHop',
      'checkout',
      'flashSale',
      'login',
      'failover',
      'memory',
      'embeddedStart',
    ] as const
  ).filter((figures) => results[figures] === undefined);
  expect(missing).toEqual([]);
  return results as Required<BenchResults>;
}

/** The real harness, smoke sized, as `BENCH_SMOKE=1 BENCH_OUTPUT=… npm run bench` runs it. */
describe('the benchmark harness (BENCH_SMOKE=1)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketpro-bench-smoke-'));
  const output = path.join(dir, 'PERFORMANCE.md');
  let databasesBefore: string[];
  let results: Required<BenchResults>;

  beforeAll(async () => {
    databasesBefore = await benchDatabases();
    results = everyScenarioRan(
      await runBench(benchOptionsFromEnv({ BENCH_SMOKE: '1', BENCH_OUTPUT: output }), new Teardown()),
    );
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the event from the distributed mode (cache on and off), the embedded mode and the baseline', () => {
    expectAllAnswered(results.readPath.distributed);
    expectAllAnswered(results.readPath.uncached);
    expectAllAnswered(results.readPath.embedded);
    expectAllAnswered(results.readPath.baseline);
    // Cache hits may cost the gateway less than one clock tick in a smoke run's 20 reads.
    for (const [mode, processes] of [
      ['uncached', ['gateway', 'catalog']],
      ['embedded', ['embedded']],
      ['baseline', ['baseline']],
    ] as const) {
      for (const name of processes) expect(results.readPath.cpuPerRead[mode][name]).toBeGreaterThan(0);
    }
  });

  it('reads it at a fixed rate with and without the NATS hop, paced evenly and in bursts', () => {
    expect(results.natsHop.rate).toBeGreaterThan(0);
    for (const load of [results.natsHop.paced, results.natsHop.bursts]) {
      expectAllAnswered(load.distributed);
      expectAllAnswered(load.embedded);
    }
  });

  it('checks out on one hot ticket type and measures the hot-row limit', () => {
    expectAllAnswered(results.checkout.orders);
    expect(results.checkout.hotRow.connections).toBeGreaterThan(0);
    expect(results.checkout.hotRow.updates).toBe(SMOKE_REQUESTS);
    expect(results.checkout.hotRow.perSecond).toBeGreaterThan(0);
    expectSaneLatency(results.checkout.hotRow);
  });

  it('checks out on the single-process server too, and reads the CPU each process spent per order', () => {
    expectAllAnswered(results.checkout.monolith);
    for (const name of ['gateway', 'identity', 'catalog', 'ordering', 'ticketing', 'Postgres', 'NATS']) {
      expect(results.checkout.cpuPerOrder[name]).toBeGreaterThanOrEqual(0);
    }
    expect(results.checkout.cpuPerOrder.gateway + results.checkout.cpuPerOrder.ordering).toBeGreaterThan(0);
    expect(results.checkout.monolithCpuPerOrder.monolith).toBeGreaterThan(0);
  });

  it('checks out again with only the processes issue 14 lists, the others paused', () => {
    expectAllAnswered(results.checkout.core.orders);
    expect(results.checkout.core.paused).toEqual(['notifications', 'reporting']);
    expect(Object.keys(results.checkout.core.cpuPerOrder).sort()).toEqual(
      ['NATS', 'Postgres', 'catalog', 'gateway', 'identity', 'ordering', 'ticketing'].sort(),
    );
  });

  it('kills one instance of each service under load without a failed request', () => {
    expect(results.failover.windows.map((w) => w.window)).toEqual(['steady', ...SERVICE_NAMES]);
    expect(results.failover.failed).toEqual([]);
    expect(results.failover.windows[0].answered).toBeGreaterThan(0);
  });

  it('sells out the flash sale exactly', () => {
    expect(results.flashSale).toMatchObject({
      buyers: 50,
      units: 10,
      created: 10,
      soldOut: 40,
      other: 0,
      otherAnswers: '',
      availableAfter: 0,
      exact: true,
    });
    expect(results.flashSale.soldOutSeconds).toBeGreaterThan(0);
    expect(results.flashSale.allAnsweredSeconds).toBeGreaterThanOrEqual(results.flashSale.soldOutSeconds);
  });

  it('logs in and reads the argon2id parameters from a stored hash', () => {
    expectAllAnswered(results.login.logins);
    expect(results.login.argon2).toMatch(/^argon2id v=19, m=\d+ KiB, t=\d+, p=\d+$/);
  });

  it('measures the memory of every process it started, idle and under load', () => {
    expect(results.memory.map((m) => m.process).sort()).toEqual(
      ['baseline', 'embedded', 'gateway', ...SERVICE_NAMES].sort(),
    );
    for (const { idleMiB, loadedMiB } of results.memory) {
      expect(idleMiB).toBeGreaterThan(0);
      expect(loadedMiB).toBeGreaterThanOrEqual(idleMiB);
    }
  });

  it('times npm start on an empty data directory and again on its data, and weighs it after a whole sale', () => {
    const f = results.embeddedStart;
    expect(f.firstStartSeconds).toBeGreaterThan(0);
    expect(f.restartSeconds).toBeGreaterThan(0);
    expect(f.afterSaleMiB).toBeGreaterThan(50);
    expect(f.peakMiB).toBeGreaterThanOrEqual(f.afterSaleMiB);
    expect(f.npmMiB).toBeGreaterThan(0);
  });

  it('describes the machine', () => {
    expect(results.machine.postgres).toMatch(/^PostgreSQL \d+/);
    // The bench's own server, run as deploy/ runs NATS.
    expect(results.machine.nats).toMatch(/^nats-server \d+\.\d+.*, GOMAXPROCS 1$/);
    expect(results.machine.node).toBe(process.version);
  });

  it('writes the report with every table, and keeps an edited header when it writes again', () => {
    const report = readFileSync(output, 'utf8');
    expect(report).toMatch(/^# Performance/);
    for (const title of [
      '1. Read path',
      '2. NATS hop',
      '3. Checkout',
      '4. Flash sale',
      '5. Login',
      '6. Memory',
      '7. npm start',
      '8. Failover',
    ]) {
      expect(report).toContain(`### ${title}`);
    }
    expect(report).toContain(results.machine.postgres);
    expect(report).not.toContain('Skipped');

    writeFileSync(output, report.replace('# Performance', '# Performance\n\nA note written by hand.'));
    writeReport(output, renderResults(results));
    const rewritten = readFileSync(output, 'utf8');
    expect(rewritten).toContain('A note written by hand.');
    expect(rewritten.split('### 1. Read path')).toHaveLength(2);
  });

  it('leaves no database behind', async () => {
    const left = (await benchDatabases()).filter((name) => !databasesBefore.includes(name));
    expect(left).toEqual([]);
  });
});
