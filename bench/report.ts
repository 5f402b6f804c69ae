import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCENARIOS, type BenchOptions } from './options';
import type { Machine } from './machine';
import type { ResidentSize } from './memory';
import { failuresOf, type LoadFigures } from './load';
import { totalCpuMs } from './cpu';
import { READ_MODES, type ReadPathFigures } from './scenarios/read-path';
import {
  HOP_BURST_CONNECTIONS,
  HOP_MODES,
  HOP_SLICE_SECONDS,
  type HopMode,
  type NatsHopFigures,
} from './scenarios/nats-hop';
import type { CheckoutFigures } from './scenarios/checkout';
import type { FlashSaleFigures } from './scenarios/flash-sale';
import type { LoginFigures } from './scenarios/login';
import { EMBEDDED_TARGETS, type EmbeddedStartFigures } from './scenarios/embedded-start';
import type { FailoverScenarioFigures } from './scenarios/failover';

/** A scenario's figures are there only when it ran (`BENCH_ONLY`). */
export interface BenchResults {
  date: Date;
  machine: Machine;
  options: BenchOptions;
  /** How the distributed mode was deployed, e.g. "one process per service, DATABASE_POOL_MAX 10"; absent when no scenario used it. */
  deployment?: string;
  readPath?: ReadPathFigures;
  natsHop?: NatsHopFigures;
  checkout?: CheckoutFigures;
  flashSale?: FlashSaleFigures;
  login?: LoginFigures;
  failover?: FailoverScenarioFigures;
  /** Measured while the cluster's scenarios ran. */
  memory?: ResidentSize[];
  embeddedStart?: EmbeddedStartFigures;
}

/** Everything above this line in the report is kept as it is; everything below is rewritten. */
const RESULTS_MARKER = '<!-- bench:results — everything below is written by `npm run bench`; edit above this line -->';

const DEFAULT_HEADER = `# Performance

\`npm run bench\` (bench/run.ts) measures TicketPro against the physical limits of the machine it runs
on, prints the tables below and rewrites them here. It needs what the tests need: PostgreSQL on
127.0.0.1:5432 (or \`TEST_DATABASE_URL\`) and the \`nats-server\` binary (or \`NATS_SERVER_BIN\`): the bench
runs a NATS server of its own, with \`GOMAXPROCS=1\` as deploy/ runs it.
Everything it starts — service processes, \`tp_*\` databases, JetStream streams, temporary
directories — is removed when it ends, fails or is interrupted with Ctrl-C.

- \`BENCH_DURATION\`: seconds of each load run (default 10; the whole bench then takes about 5 minutes).
- \`BENCH_HOP_RATE\`: the requests per second of the NATS hop scenario (default 500); a lower one
  compares the hop on a machine too busy to serve 500 reads a second evenly.
- \`BENCH_OUTPUT\`: where to write this report (default \`docs/PERFORMANCE.md\`).
- \`BENCH_SMOKE=1\`: a tiny run (20 requests per load, a 50-buyer sale) proving every scenario still works;
  \`bench/test/bench-smoke.test.ts\` runs it as part of \`npm test\`.
- \`BENCH_ONLY\`: a comma-separated list of the scenarios to run, e.g. \`BENCH_ONLY=read,hop\`; the others
  are skipped, left out of the report, and named in it as skipped. The names: \`start\` (npm start),
  \`read\`, \`hop\`, \`checkout\`, \`flash-sale\`, \`login\`, \`failover\`. Unset, every scenario runs.

## How to read it

- Compare figures **within one run**. Absolute numbers drift between runs and machines; every
  comparison (ratio, difference) is measured in the same run, on the same machine, minutes apart.
- autocannon, the load generator, runs on the same machine and competes for the same cores; so
  does everything else running at the time (see the load average in the results).
- Latencies are exact per-request times of the 2xx answers (autocannon's histogram only counts
  whole milliseconds); "other answers" lists whatever else came back.
- **Read path**: each server as fast as it answers with a fixed number of connections. The
  baseline (\`bench/baseline-server.ts\`) is fastify and pg alone, answering the same body from
  catalog's own tables with one SQL statement: what a server cannot beat on this machine.
- **NATS hop**: the same read at a fixed rate (\`BENCH_HOP_RATE\`, default 500 req/s), the
  cache-off gateway against the embedded process; the difference is what the hop
  between gateway and catalog costs. Measured twice: evenly paced (one request every 1/rate s,
  sent whether or not the earlier ones were answered, as independent clients send them: the
  hop's own latency; the two modes take turns, a second each, so that both see the same load
  on a shared machine), and with autocannon, whose connections each send their share of a second
  back to back and then wait (latencies under short bursts of a few concurrent requests).
  Under it, the CPU per read of each mode's processes in the paced run and the share of the
  cores they took, and how busy the whole machine was: the hop's tail is waits for the cores.
- **Checkout**: orders per second on one ticket type, against the hot-row limit measured right
  after: catalog's hold \`UPDATE\` alone, straight to Postgres, from as many connections as
  catalog's pools hold. Every order also writes its hold, its order rows and two outbox events.
- **Flash sale**: exact means every unit sold once, every other buyer a problem+json 409, nothing
  else, and nothing left available.
- **Checkout ÷ single process**: the same load on \`bench/monolith-checkout-server.ts\`, fastify and
  pg doing for one order what TicketPro does (verify the token, hold with catalog's statement,
  write the order, its items and \`order.created\` in one transaction). CPU per order is read from
  \`/proc/<pid>/stat\` before and after each run. The checkout runs twice on the cluster: with every
  process, and with only those issue 14 lists (notifications and reporting, which follow the
  order after the buyer has the answer, paused with SIGSTOP). No run starts while the consumers
  or the mail dispatcher still owe an earlier run's orders anything; with every process, CPU is
  read until they have caught up on the run's own (its confirmations sent).
- **Failover**: two instances of every service under steady load, one of each SIGKILLed in turn;
  the p99 of the requests answered in each window after a kill against the steady p99.
- **Login** is bounded by argon2id on purpose; the parameters are read from a stored hash.
- **Memory**: resident size after start and seeding (idle) and the highest seen while the
  scenarios ran.
- **npm start**: measured first, alone: \`npm start\` (its build included) on an empty data
  directory until \`/health\` answers 200, a whole sale (accounts, event, ticket type, order,
  payment, tickets, check-in) and the embedded process's resident size after it, then a restart
  on the same data.

Targets (issue 7): the distributed read path at least 50% of the baseline's requests/s; the NATS
hop under 2 ms at p99; checkout at least 25% of the hot-row limit; the flash sale exact every time.
Targets (issue 12): \`npm start\` healthy within 10 s of a first start and 5 s of a restart, and
at most 600 MB resident after a whole sale.
`;

/** The results as Markdown: printed as they are, and written under the report's header. */
export function renderResults(results: BenchResults): string {
  const { machine, options } = results;
  const skipped = SCENARIOS.filter((scenario) => !options.scenarios.has(scenario));
  const ran = <T>(figures: T | undefined, render: (figures: T) => string) =>
    figures === undefined ? [] : [render(figures)];
  return [
    `## Results`,
    '',
    `Measured ${results.date.toISOString()}${options.smoke ? ' (smoke run: tiny sizes, not figures to quote)' : ''}, ` +
      `${lengthOfRun(options)} per load run, on:`,
    '',
    `- CPU: ${machine.cpu}`,
    `- RAM: ${machine.memory}`,
    `- OS: ${machine.os}`,
    `- Node: ${machine.node}`,
    `- PostgreSQL: ${machine.postgres}`,
    `- NATS: ${machine.nats}`,
    `- Load average when the bench started: ${machine.loadAverage}`,
    ...(results.deployment ? [`- Distributed mode: ${results.deployment}`] : []),
    ...(skipped.length > 0 ? [`- Skipped (not in BENCH_ONLY): ${skipped.join(', ')}`] : []),
    '',
    ...ran(results.readPath, readPathSection(options)),
    ...ran(results.natsHop, natsHopSection),
    ...ran(results.checkout, checkoutSection),
    ...ran(results.flashSale, flashSaleSection),
    ...ran(results.login, loginSection),
    ...ran(results.memory, memorySection),
    ...ran(results.embeddedStart, embeddedStartSection),
    ...ran(results.failover, failoverSection),
  ].join('\n');
}

/** Writes the report: the existing header when there is one (it may have been edited), then `results`. */
export function writeReport(file: string, results: string): void {
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = existing.indexOf(RESULTS_MARKER);
  const header = at >= 0 ? existing.slice(0, at) : `${DEFAULT_HEADER}\n`;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${header}${RESULTS_MARKER}\n\n${results}`);
}

/** A load run's answers, rate and latencies: the four columns after the label of every load table. */
const loadColumns = (f: LoadFigures) => [count(f.succeeded), perSecond(f.perSecond), ms(f.p50), ms(f.p99)];

const readPathSection = (options: BenchOptions) => (readPath: ReadPathFigures) => {
  const baseline = readPath.baseline;
  const row = (label: string, f: LoadFigures) => [
    label,
    ...loadColumns(f),
    ratio(f.perSecond / baseline.perSecond),
    ratio(f.p50 / baseline.p50),
    ratio(f.p99 / baseline.p99),
    failuresOf(f),
  ];
  const table = section(
    `1. Read path: GET /api/v1/events/{id}, ${options.readConnections} connections`,
    [
      'mode',
      'answers',
      'req/s',
      'p50 ms',
      'p99 ms',
      'req/s ÷ baseline',
      'p50 ÷ baseline',
      'p99 ÷ baseline',
      'other answers',
    ],
    [
      row('distributed, as deployed (the gateway answers from its read cache)', readPath.distributed),
      row('distributed, cache off (gateway → NATS → catalog)', readPath.uncached),
      row('embedded, cache off (one process, no NATS)', readPath.embedded),
      row('baseline (fastify + pg)', baseline),
    ],
  );
  return `${table}\n${readCpuSection(readPath.cpuPerRead)}`;
};

/** CPU ms per read of each process serving a mode, against the baseline's. */
function readCpuSection(cpuPerRead: ReadPathFigures['cpuPerRead']): string {
  const baseline = totalCpuMs(cpuPerRead.baseline);
  return section(
    "CPU per read (user + system, from /proc/<pid>/stat, during the measured run; NATS: the bench's own server)",
    ['mode', 'by process (ms)', 'CPU ms per read', '÷ baseline'],
    READ_MODES.map((mode) => [
      mode,
      Object.entries(cpuPerRead[mode])
        .map(([name, ms]) => `${name} ${cpuMs(ms)}`)
        .join(', '),
      cpuMs(totalCpuMs(cpuPerRead[mode])),
      ratio(totalCpuMs(cpuPerRead[mode]) / baseline),
    ]),
  );
}

/** Below this share of the asked rate a server was saturated, and its latencies are queueing. */
const RATE_REACHED = 0.9;

function natsHopSection(natsHop: NatsHopFigures): string {
  const rows = (load: string, figures: Record<HopMode, LoadFigures>) => {
    const { distributed, embedded } = figures;
    const row = (mode: HopMode) => [
      load,
      `${mode}, cache off`,
      ...loadColumns(figures[mode]),
      failuresOf(figures[mode]),
    ];
    return [
      row('distributed'),
      row('embedded'),
      [
        load,
        '**the hop adds**',
        '',
        '',
        signedMs(distributed.p50 - embedded.p50),
        signedMs(distributed.p99 - embedded.p99),
        '',
      ],
    ];
  };
  const saturated = [natsHop.paced, natsHop.bursts].some((figures) =>
    HOP_MODES.some((mode) => figures[mode].perSecond < RATE_REACHED * natsHop.rate),
  );
  const table = section(
    `2. NATS hop: the same read at a fixed ${natsHop.rate} req/s`,
    ['load', 'mode', 'answers', 'req/s reached', 'p50 ms', 'p99 ms', 'other answers'],
    [
      ...rows(
        `evenly paced, one request every ${(1000 / natsHop.rate).toFixed(1)} ms, the modes taking ${HOP_SLICE_SECONDS} s turns`,
        natsHop.paced,
      ),
      ...rows(`autocannon, each second in bursts on ${HOP_BURST_CONNECTIONS} connections`, natsHop.bursts),
    ],
  );
  const cpu = hopCpuSection(natsHop);
  if (!saturated) return `${table}\n${cpu}`;
  return `${table}\n**The fixed rate was not reached**: these latencies are those of a saturated server, not of the hop.\n\n${cpu}`;
}

/** How much of the cores each mode's processes took while it was measured, and how busy the machine was. */
function hopCpuSection({ rate, pacedCpu }: NatsHopFigures): string {
  const table = section(
    `CPU of the evenly paced run (user + system, /proc/<pid>/stat; Postgres: the backends of the mode's database)`,
    ['mode', 'by process (ms per read)', 'CPU ms per read', `share of the ${pacedCpu.cores} cores at ${rate} req/s`],
    HOP_MODES.map((mode) => [
      `${mode}, cache off`,
      Object.entries(pacedCpu.perRead[mode])
        .map(([name, ms]) => `${name} ${cpuMs(ms)}`)
        .join(', '),
      cpuMs(totalCpuMs(pacedCpu.perRead[mode])),
      percent(pacedCpu.coresShare[mode]),
    ]),
  );
  const { busy, steal } = pacedCpu.machine;
  return `${table}\nThe whole machine over that run (both modes, the load generator, everything else): ${percent(busy)} of its cores busy, ${percent(steal)} stolen by the hypervisor.\n`;
}

function checkoutSection(checkout: CheckoutFigures): string {
  const { orders, core, monolith, hotRow } = checkout;
  const loadRow = (label: string, f: LoadFigures) => [
    label,
    String(checkout.connections),
    ...loadColumns(f),
    failuresOf(f),
  ];
  const throughput = section(
    '3. Checkout on one hot ticket type (distributed)',
    ['what', 'connections', 'done', 'per second', 'p50 ms', 'p99 ms', 'other answers'],
    [
      loadRow(`POST /api/v1/orders, 1 unit each, ${checkout.buyers} buyers`, orders),
      loadRow(`the same with only the processes issue 14 lists (${core.paused.join(' and ')} paused)`, core.orders),
      loadRow('the same on the single-process checkout (fastify + pg)', monolith),
      [
        "hot-row limit: catalog's hold UPDATE on one row, straight to Postgres",
        String(hotRow.connections),
        count(hotRow.updates),
        perSecond(hotRow.perSecond),
        ms(hotRow.p50),
        ms(hotRow.p99),
        '',
      ],
      ['**orders/s ÷ single-process checkout**', '', '', ratio(orders.perSecond / monolith.perSecond), '', '', ''],
      [
        `orders/s ÷ single-process checkout, ${core.paused.join(' and ')} paused`,
        '',
        '',
        ratio(core.orders.perSecond / monolith.perSecond),
        '',
        '',
        '',
      ],
      ['**orders/s ÷ hot-row limit**', '', '', ratio(orders.perSecond / hotRow.perSecond), '', '', ''],
      ['single-process checkout ÷ hot-row limit', '', '', ratio(monolith.perSecond / hotRow.perSecond), '', '', ''],
    ],
  );
  return `${throughput}\n${cpuSection(checkout)}`;
}

/** CPU ms per order of each process, instances of one service added up. */
function cpuSection({ cpuPerOrder, core, monolithCpuPerOrder }: CheckoutFigures): string {
  const coreMs = (name: string) => (name in core.cpuPerOrder ? cpuMs(core.cpuPerOrder[name]) : 'paused');
  const rows = [
    ...Object.entries(cpuPerOrder).map(([name, ms]) => [`TicketPro: ${name}`, cpuMs(ms), coreMs(name)]),
    [
      '**TicketPro: all of the above**',
      `**${cpuMs(totalCpuMs(cpuPerOrder))}**`,
      `**${cpuMs(totalCpuMs(core.cpuPerOrder))}**`,
    ],
    ...Object.entries(monolithCpuPerOrder).map(([name, ms]) => [`single process: ${name}`, cpuMs(ms), '']),
    ['**single process: all of the above**', `**${cpuMs(totalCpuMs(monolithCpuPerOrder))}**`, ''],
  ];
  return section(
    "CPU per order (user + system, from /proc/<pid>/stat; Postgres: the backends of the bench's database; NATS: the bench's own server)",
    ['process', 'CPU ms per order', `${core.paused.join(' and ')} paused`],
    rows,
  );
}

function flashSaleSection(f: FlashSaleFigures): string {
  return section(
    `4. Flash sale: ${f.buyers} buyers at once for ${f.units} units (distributed)`,
    [
      '201 created',
      '409 sold out (problem+json)',
      'other',
      'available after',
      'last unit sold after',
      'all answered after',
      'exact',
    ],
    [
      [
        count(f.created),
        count(f.soldOut),
        f.otherAnswers ? `${count(f.other)} (${f.otherAnswers})` : count(f.other),
        count(f.availableAfter),
        seconds(f.soldOutSeconds),
        seconds(f.allAnsweredSeconds),
        f.exact ? 'yes' : '**NO**',
      ],
    ],
  );
}

function loginSection(login: LoginFigures): string {
  const f = login.logins;
  return section(
    `5. Login: POST /api/v1/auth/login (distributed), ${login.connections} connections over ${login.users} accounts`,
    ['answers', 'logins/s', 'p50 ms', 'p99 ms', 'other answers', 'password hashing'],
    [[...loadColumns(f), failuresOf(f), login.argon2]],
  );
}

function memorySection(memory: ResidentSize[]): string {
  return section(
    '6. Memory: resident size (VmRSS) of each process',
    ['process', 'idle MiB', 'under load MiB (highest seen)'],
    memory.map((m) => [m.process, mib(m.idleMiB), mib(m.loadedMiB)]),
  );
}

function embeddedStartSection(f: EmbeddedStartFigures): string {
  const met = (ok: boolean) => (ok ? 'yes' : '**NO**');
  return section(
    '7. npm start (embedded mode, PGlite): start and memory',
    ['what', 'measured', 'target', 'met'],
    [
      [
        'first start (empty data directory) until /health 200',
        seconds(f.firstStartSeconds),
        `≤ ${EMBEDDED_TARGETS.firstStartSeconds} s`,
        met(f.firstStartSeconds <= EMBEDDED_TARGETS.firstStartSeconds),
      ],
      [
        'restart until /health 200',
        seconds(f.restartSeconds),
        `≤ ${EMBEDDED_TARGETS.restartSeconds} s`,
        met(f.restartSeconds <= EMBEDDED_TARGETS.restartSeconds),
      ],
      [
        'resident after a whole sale (the node process)',
        `${mib(f.afterSaleMiB)} MiB`,
        `≤ ${EMBEDDED_TARGETS.afterSaleMiB} MB`,
        met(f.afterSaleMiB * 1.048576 <= EMBEDDED_TARGETS.afterSaleMiB),
      ],
      ['highest resident until then (VmHWM)', `${mib(f.peakMiB)} MiB`, '', ''],
      ['npm, the parent process, besides', `${mib(f.npmMiB)} MiB`, '', ''],
    ],
  );
}

function failoverSection(f: FailoverScenarioFigures): string {
  const steady = f.windows[0];
  return section(
    `8. Failover: ${f.workers} buyers, two instances of every service, one of each SIGKILLed in turn, ${f.windowSeconds} s apart`,
    ['window', 'answered', 'p50 ms', 'p99 ms', 'max ms', 'p99 ÷ steady p99', 'p99 of those sent in it', 'not 2xx'],
    f.windows.map((w) => [
      w.window === 'steady' ? 'steady, before any kill' : `after killing one ${w.window}`,
      count(w.answered),
      ms(w.p50Ms),
      ms(w.p99Ms),
      ms(w.maxMs),
      ratio(w.p99Ms / steady.p99Ms),
      ms(w.sentP99Ms),
      Object.entries(w.failures)
        .map(([status, n]) => `${n} × ${status}`)
        .join(', '),
    ]),
  );
}

function section(title: string, columns: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [`### ${title}`, '', line(columns), line(columns.map(() => '---')), ...rows.map(line), ''].join('\n');
}

const lengthOfRun = ({ runLength }: BenchOptions) =>
  'seconds' in runLength ? `${runLength.seconds} s` : `${runLength.requests} requests`;
const count = (n: number) => String(n);
const perSecond = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const ms = (n: number) => n.toFixed(2);
const signedMs = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(2)} ms`;
const ratio = (n: number) => `${n.toFixed(2)}×`;
const cpuMs = (value: number) => value.toFixed(2);
const percent = (share: number) => `${(share * 100).toFixed(0)}%`;
const seconds = (n: number) => `${n.toFixed(2)} s`;
const mib = (n: number) => n.toFixed(0);
