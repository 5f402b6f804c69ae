import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchOptionsFromEnv, SCENARIOS } from '../options';
import { runBench } from '../harness';
import { Teardown } from '../teardown';
import type { BenchResults } from '../report';

jest.setTimeout(300_000);

describe('BENCH_HOP_RATE', () => {
  it('sets the rate of the NATS hop, 500 requests per second unless given', () => {
    expect(benchOptionsFromEnv({}).hopRate).toBe(500);
    expect(benchOptionsFromEnv({ BENCH_HOP_RATE: '250' }).hopRate).toBe(250);
  });

  it('refuses a rate that is not a positive number', () => {
    for (const rate of ['0', '-5', 'fast']) {
      expect(() => benchOptionsFromEnv({ BENCH_HOP_RATE: rate })).toThrow(
        `BENCH_HOP_RATE must be a positive number of requests per second, not "${rate}"`,
      );
    }
  });
});

describe('BENCH_ONLY', () => {
  it('runs every scenario when unset or empty', () => {
    expect([...benchOptionsFromEnv({}).scenarios]).toEqual([...SCENARIOS]);
    expect([...benchOptionsFromEnv({ BENCH_ONLY: ' ' }).scenarios]).toEqual([...SCENARIOS]);
  });

  it('takes a comma-separated list of scenario names', () => {
    expect([...benchOptionsFromEnv({ BENCH_ONLY: 'read, hop' }).scenarios]).toEqual(['read', 'hop']);
    expect([...benchOptionsFromEnv({ BENCH_ONLY: 'failover,' }).scenarios]).toEqual(['failover']);
  });

  it('refuses a name that is no scenario, and lists the names', () => {
    expect(() => benchOptionsFromEnv({ BENCH_ONLY: 'read,reed' })).toThrow(
      'BENCH_ONLY names no scenario "reed"; the scenarios are start, read, hop, checkout, flash-sale, login, failover',
    );
  });

  describe('BENCH_ONLY=hop (smoke sized)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketpro-bench-only-'));
    const output = path.join(dir, 'PERFORMANCE.md');
    let results: BenchResults;

    beforeAll(async () => {
      results = await runBench(
        benchOptionsFromEnv({ BENCH_SMOKE: '1', BENCH_ONLY: 'hop', BENCH_OUTPUT: output }),
        new Teardown(),
      );
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('measures the hop and nothing else', () => {
      for (const load of [results.natsHop?.paced, results.natsHop?.bursts]) {
        expect(load?.distributed.succeeded).toBe(20);
        expect(load?.embedded.succeeded).toBe(20);
      }
      for (const figures of ['readPath', 'checkout', 'flashSale', 'login', 'failover', 'embeddedStart'] as const) {
        expect(results[figures]).toBeUndefined();
      }
    });

    it("reports each mode's CPU per read and the share of the cores it took", () => {
      const cpu = results.natsHop!.pacedCpu;
      expect(Object.keys(cpu.perRead.distributed)).toEqual(['gateway', 'catalog', 'NATS', 'Postgres']);
      expect(Object.keys(cpu.perRead.embedded)).toEqual(['embedded', 'Postgres']);
      for (const mode of ['distributed', 'embedded'] as const) {
        expect(cpu.coresShare[mode]).toBeGreaterThanOrEqual(0);
        expect(cpu.coresShare[mode]).toBeLessThanOrEqual(1);
      }
      expect(cpu.machine.busy).toBeGreaterThan(0);
      const report = readFileSync(output, 'utf8');
      expect(report).toMatch(
        /\| distributed, cache off \| gateway [\d.]+, catalog [\d.]+, NATS [\d.]+, Postgres [\d.]+ \| [\d.]+ \| \d+% \|/,
      );
      expect(report).toMatch(/of its cores busy, \d+% stolen by the hypervisor/);
    });

    it('still weighs the processes the hop ran on', () => {
      expect(results.memory?.map((m) => m.process)).toEqual(expect.arrayContaining(['gateway', 'catalog', 'embedded']));
    });

    it('leaves the skipped scenarios out of the report and names them', () => {
      const report = readFileSync(output, 'utf8');
      expect(report).toContain('### 2. NATS hop');
      expect(report).toContain('### 6. Memory');
      for (const title of ['1. Read path', '3. Checkout', '4. Flash sale', '5. Login', '7. npm start', '8. Failover']) {
        expect(report).not.toContain(`### ${title}`);
      }
      expect(report).toContain('- Skipped (not in BENCH_ONLY): start, read, checkout, flash-sale, login, failover');
    });
  });
});
