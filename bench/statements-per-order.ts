import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startCluster } from '@ticketpro/tests/support/cluster';
import { register, type Registered } from '@ticketpro/tests/support/users';
import { seedEvent } from './seed';
import { processSource, startCpuReading } from './cpu';
import { consumersCaughtUp, queuedMailSent, whilePaused } from './pause';

/**
 * Statements per order, by service and by statement, with the CPU Postgres spent on each: a
 * cluster whose services log every statement they send with its resource usage
 * (`log_statement_stats`, set for their connections only through PGOPTIONS: each parse, bind and
 * execute message, or simple query, is logged with the user and system CPU its backend spent on
 * it), N checkouts of one unit each under an Idempotency-Key, `concurrency` at a time, then the
 * cluster's lines of Postgres's log counted by backend, each backend traced to the service process
 * whose socket it serves. The window ends once every consumer has acknowledged every event the
 * orders caused (3 s after the orders when services are paused), so a consumer's whole share is
 * counted; so are the services' idle polls in it, as in a real run. CPU (user + system) of each
 * process, and of the backends traced to it, over the same window from /proc, less the idle rate:
 * for the backends, what the bench charges to Postgres (the statements, plus commits at a Sync,
 * reading and writing the socket, and the logging itself, which this measurement adds).
 *
 * Env: POSTGRES_LOG (default /var/log/postgresql/postgresql-15-main.log), ORDERS (default 200),
 * CONCURRENCY (default 16), PAUSED (services stopped during the orders, comma-separated, e.g.
 * `notifications,reporting` as the bench's core run), TOP (statements listed, default 25).
 * Run: `npx tsx bench/statements-per-order.ts` (needs `npm run build`).
 */
const LOG = process.env.POSTGRES_LOG ?? '/var/log/postgresql/postgresql-15-main.log';
const ORDERS = Number(process.env.ORDERS ?? 200);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const PAUSED = (process.env.PAUSED ?? '').split(',').filter(Boolean);
const TOP = Number(process.env.TOP ?? 25);
/** How long the services' idle CPU is measured for before the orders. */
const IDLE_MS = 5000;

/** Local TCP ports of the sockets a process holds open. */
function socketPorts(pid: number): Set<number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length > 9 && inodes.has(fields[9])) ports.add(parseInt(fields[1].split(':').pop()!, 16));
    }
  }
  return ports;
}

/** A statement's text with its literals and parameters taken out, so that its runs group together. */
function shapeOf(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+|\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\(\?(?:, ?\?)+\)/g, '(?…)')
    .trim();
}

interface Cost {
  /** Statements run: simple queries and execute messages. */
  count: number;
  /** Parse messages: the statement parsed (and analysed) again. */
  parses: number;
  /** CPU ms over every message of the statement (parse, bind with its planning, execute). */
  cpuMs: number;
  /** Of which in parse and in bind messages. */
  parseMs: number;
  bindMs: number;
}

/**
 * The statistics Postgres logged in `lines` for the cluster's `database`, by backend pid and the
 * statement's shape. Each is one message (`! system usage stats:` DETAIL, then the statement).
 */
function statementCosts(lines: string[], database: string): Map<number, Map<string, Cost>> {
  const header = new RegExp(`^\\S+ \\S+ UTC \\[(\\d+)\\] \\S+@${database} (LOG|DETAIL|STATEMENT):  (.*)$`);
  const byPid = new Map<number, Map<string, Cost>>();
  const pending = new Map<number, { kind: string; cpuMs?: number; text?: string }>();
  let current: { pid: number; part: string; text: string[] } | undefined;
  const settle = () => {
    if (!current) return;
    const { pid, part } = current;
    const text = current.text.join('\n');
    current = undefined;
    if (part === 'LOG') {
      const stats = /^(QUERY|PARSE MESSAGE|BIND MESSAGE|EXECUTE MESSAGE) STATISTICS$/.exec(text);
      if (stats) pending.set(pid, { kind: stats[1] });
      return;
    }
    const stat = pending.get(pid);
    if (!stat) return;
    if (part === 'DETAIL') {
      const usage = /([\d.]+) s user, ([\d.]+) s system, [\d.]+ s elapsed/.exec(text);
      if (usage) stat.cpuMs = (Number(usage[1]) + Number(usage[2])) * 1000;
      return;
    }
    pending.delete(pid);
    const shape = shapeOf(text);
    const costs = byPid.get(pid) ?? new Map<string, Cost>();
    byPid.set(pid, costs);
    const cost = costs.get(shape) ?? { count: 0, parses: 0, cpuMs: 0, parseMs: 0, bindMs: 0 };
    costs.set(shape, cost);
    if (stat.kind === 'QUERY' || stat.kind === 'EXECUTE MESSAGE') cost.count += 1;
    if (stat.kind === 'PARSE MESSAGE') {
      cost.parses += 1;
      cost.parseMs += stat.cpuMs ?? 0;
    }
    if (stat.kind === 'BIND MESSAGE') cost.bindMs += stat.cpuMs ?? 0;
    cost.cpuMs += stat.cpuMs ?? 0;
  };
  for (const line of lines) {
    const match = header.exec(line);
    if (match) {
      settle();
      current = { pid: Number(match[1]), part: match[2], text: [match[3]] };
    } else if (current && line.startsWith('\t')) {
      current.text.push(line.slice(1));
    } else {
      settle();
    }
  }
  settle();
  return byPid;
}

const perOrder = (n: number) => (n / ORDERS).toFixed(2);
const ms = (n: number) => (n / ORDERS).toFixed(3);

async function main(): Promise<void> {
  const cluster = await startCluster('stmts', {
    PGOPTIONS: '-c log_statement_stats=on',
    RATE_LIMIT_WRITES: '0',
    HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0',
  });
  const database = new URL(cluster.env.DATABASE_URL).pathname.slice(1);
  const admin = new pg.Client({ connectionString: cluster.env.DATABASE_URL });
  await admin.connect();
  const backends = new Map<number, string>();
  const traceBackends = async () => {
    const byPort = new Map<number, string>();
    for (const p of cluster.processes) for (const port of socketPorts(p.child.pid!)) byPort.set(port, p.name);
    const { rows } = await admin.query<{ pid: number; client_port: number }>(
      'SELECT pid, client_port FROM pg_stat_activity WHERE datname = $1',
      [database],
    );
    for (const { pid, client_port } of rows) {
      const name = byPort.get(client_port);
      if (name) backends.set(pid, name);
    }
  };
  try {
    const organizer = await register(cluster.api, { role: 'organizer' });
    // One at a time: on a loaded machine twenty argon2id hashes at once outlast the gateway's call.
    const buyers: Registered[] = [];
    for (let i = 0; i < 20; i++) buyers.push(await register(cluster.api));
    const sale = await seedEvent(cluster.api, organizer, [{ name: 'Counted', quantity: 100_000 }]);
    const order = (i: number) =>
      cluster.api('POST', '/api/v1/orders', {
        token: buyers[i % buyers.length].access,
        headers: { 'idempotency-key': randomUUID() },
        body: {
          event_id: sale.eventId,
          payment_method: 'credit_card',
          items: [{ ticket_type_id: sale.ticketTypeIds[0], quantity: 1 }],
        },
      });
    for (let i = 0; i < 20; i++) await order(i); // warm: pools open, statements prepared
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const backendsOf = (name: string) => async () =>
      [...backends].filter(([, service]) => service === name).map(([pid]) => pid);
    await traceBackends();
    const cpuSources = cluster.processes.flatMap((p) => [
      processSource(p.name, p.child.pid),
      { name: `${p.name}'s Postgres`, pids: backendsOf(p.name) },
    ]);
    // What each spends idle (relays' polls, timers), taken off the window's: the orders' cost.
    const idle = await startCpuReading(cpuSources);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idleSpent = await idle.finish();
    const paused = cluster.processes.filter((p) => PAUSED.includes(p.name));
    const failures: { status: number; body: unknown }[] = [];
    let start = 0;
    let cpuSpent: Record<string, number> = {};
    let windowMs = 0;
    await whilePaused(paused, async () => {
      const cpu = await startCpuReading(cpuSources);
      const windowStart = Date.now();
      start = statSync(LOG).size;
      let next = 0;
      const tracer = setInterval(() => void traceBackends(), 500);
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < ORDERS) {
            const res = await order(next++);
            if (res.status !== 201) failures.push({ status: res.status, body: res.body });
          }
        }),
      );
      // Let the relays and the consumers finish what the orders started (paused ones cannot).
      if (paused.length > 0) await new Promise((resolve) => setTimeout(resolve, 3000));
      else {
        await consumersCaughtUp(cluster.env.NATS_URL, cluster.env.EVENT_STREAM);
        // …and the mail dispatcher has sent what they queued: its sends are the order's too.
        await queuedMailSent(cluster.env.DATABASE_URL);
      }
      clearInterval(tracer);
      await traceBackends();
      cpuSpent = await cpu.finish();
      windowMs = Date.now() - windowStart;
    });
    const running = cluster.processes.filter((p) => !paused.includes(p));
    const ordersCost = (source: string) =>
      ((cpuSpent[source] ?? 0) - ((idleSpent[source] ?? 0) * windowMs) / IDLE_MS) / ORDERS;
    const end = statSync(LOG).size;
    const lines = readFileSync(LOG).subarray(start, end).toString('utf8').split('\n');
    const costs = statementCosts(lines, database);

    console.log(
      `orders: ${ORDERS} at ${CONCURRENCY} at once; paused: ${PAUSED.join(', ') || 'none'}; failures: ${failures.length}`,
    );
    for (const failure of failures.slice(0, 3)) console.log(JSON.stringify(failure));
    const serviceOf = (pid: number) => backends.get(pid) ?? `backend ${pid}`;
    const byService = new Map<string, { statements: number; parses: number; statementMs: number; backendMs: number }>();
    const byShape = new Map<string, Cost & { service: string }>();
    const serviceTotals = (name: string) => {
      const totals = byService.get(name) ?? { statements: 0, parses: 0, statementMs: 0, backendMs: 0 };
      byService.set(name, totals);
      return totals;
    };
    for (const [pid, shapes] of costs) {
      const service = serviceOf(pid);
      const totals = serviceTotals(service);
      for (const [shape, cost] of shapes) {
        totals.statements += cost.count;
        totals.parses += cost.parses;
        totals.statementMs += cost.cpuMs;
        const key = `${service}\u0000${shape}`;
        const sum = byShape.get(key) ?? { service, count: 0, parses: 0, cpuMs: 0, parseMs: 0, bindMs: 0 };
        byShape.set(key, {
          service,
          count: sum.count + cost.count,
          parses: sum.parses + cost.parses,
          cpuMs: sum.cpuMs + cost.cpuMs,
          parseMs: sum.parseMs + cost.parseMs,
          bindMs: sum.bindMs + cost.bindMs,
        });
      }
    }
    for (const p of running) serviceTotals(p.name).backendMs += ordersCost(`${p.name}'s Postgres`) * ORDERS;
    console.log(`CPU ms per order over ${windowMs} ms, less the idle rate: process, its Postgres backends`);
    for (const p of running) {
      console.log(`${p.name}\t${ordersCost(p.name).toFixed(3)}\t${ordersCost(`${p.name}'s Postgres`).toFixed(3)}`);
    }
    console.log('\nper order, by service: statements | parses | CPU ms in statements | backends CPU ms, less idle');
    const all = { statements: 0, parses: 0, statementMs: 0, backendMs: 0 };
    for (const [name, t] of [...byService].sort()) {
      for (const k of Object.keys(all) as (keyof typeof all)[]) all[k] += t[k];
      console.log(
        `${name}\t${perOrder(t.statements)}\t${perOrder(t.parses)}\t${perOrder(t.statementMs)}\t${perOrder(t.backendMs)}`,
      );
    }
    console.log(
      `all\t${perOrder(all.statements)}\t${perOrder(all.parses)}\t${perOrder(all.statementMs)}\t${perOrder(all.backendMs)}`,
    );
    console.log(
      `\nthe ${TOP} costliest statements, per order: service | runs | parses | CPU ms: all | parse | bind (plan) | statement`,
    );
    for (const [key, cost] of [...byShape].sort((a, b) => b[1].cpuMs - a[1].cpuMs).slice(0, TOP)) {
      const shape = key.split('\u0000')[1];
      console.log(
        `${cost.service}\t${perOrder(cost.count)}\t${perOrder(cost.parses)}\t${ms(cost.cpuMs)}\t${ms(cost.parseMs)}\t${ms(cost.bindMs)}\t${shape.slice(0, 140)}`,
      );
    }
  } finally {
    await admin.end();
    await cluster.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
