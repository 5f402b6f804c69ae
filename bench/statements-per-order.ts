import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startCluster } from '@ticketpro/tests/support/cluster';
import { register, type Registered } from '@ticketpro/tests/support/users';
import { seedEvent } from './seed';
import { processSource, startCpuReading } from './cpu';
import { consumersCaughtUp } from './pause';

/**
 * Statements and CPU per order, by service: a cluster whose services log every statement they send
 * (`log_statement = all`, set for their connections only through PGOPTIONS), N checkouts of one
 * unit each under an Idempotency-Key, `concurrency` at a time, then the cluster's lines of
 * Postgres's log counted by backend, each backend traced to the service process whose socket it
 * serves. The window ends once every consumer has acknowledged every event the orders caused, so
 * a consumer's whole share is counted; so are the services' idle polls in it, as in a real run.
 * CPU (user + system) of each process, and of the backends traced to it, over the same window.
 *
 * Env: POSTGRES_LOG (default /var/log/postgresql/postgresql-15-main.log), ORDERS (default 200),
 * CONCURRENCY (default 16). Run: `npx tsx bench/statements-per-order.ts` (needs `npm run build`).
 */
const LOG = process.env.POSTGRES_LOG ?? '/var/log/postgresql/postgresql-15-main.log';
const ORDERS = Number(process.env.ORDERS ?? 200);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
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

async function main(): Promise<void> {
  const cluster = await startCluster('stmts', {
    PGOPTIONS: '-c log_statement=all',
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
    const start = statSync(LOG).size;
    const cpu = await startCpuReading(cpuSources);
    const windowStart = Date.now();
    let next = 0;
    const failures: { status: number; body: unknown }[] = [];
    const tracer = setInterval(() => void traceBackends(), 500);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < ORDERS) {
          const res = await order(next++);
          if (res.status !== 201) failures.push({ status: res.status, body: res.body });
        }
      }),
    );
    // Let the consumers and relays finish what the orders started.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await consumersCaughtUp(cluster.env.NATS_URL, cluster.env.EVENT_STREAM);
    clearInterval(tracer);
    await traceBackends();
    const cpuSpent = await cpu.finish();
    const windowMs = Date.now() - windowStart;
    const ordersCost = (source: string) => (cpuSpent[source] - (idleSpent[source] * windowMs) / IDLE_MS) / ORDERS;
    const end = statSync(LOG).size;
    const fd = readFileSync(LOG).subarray(start, end).toString('utf8');
    const counts = new Map<string, number>();
    const marker = new RegExp(`^\\S+ \\S+ UTC \\[(\\d+)\\] \\S+@${database} LOG:  (?:statement|execute [^:]*):`);
    for (const line of fd.split('\n')) {
      const match = marker.exec(line);
      if (!match) continue;
      const name = backends.get(Number(match[1])) ?? `backend ${match[1]}`;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    let total = 0;
    console.log(`orders: ${ORDERS} at ${CONCURRENCY} at once; failures: ${failures.length}`);
    for (const failure of failures.slice(0, 3)) console.log(JSON.stringify(failure));
    if (failures.length > 0) {
      for (const p of cluster.processes) {
        const errors = p
          .output()
          .split('\n')
          .filter((line) => /error|"level":5/i.test(line));
        if (errors.length > 0) console.log(`${p.name}:\n${errors.slice(0, 5).join('\n')}`);
      }
    }
    for (const [name, count] of [...counts].sort()) {
      total += count;
      console.log(`${name}\t${count}\t${(count / ORDERS).toFixed(2)} per order`);
    }
    console.log(`all\t${total}\t${(total / ORDERS).toFixed(2)} per order`);
    console.log(`CPU ms per order over ${windowMs} ms, less the idle rate: process, its Postgres backends`);
    for (const p of cluster.processes) {
      console.log(`${p.name}\t${ordersCost(p.name).toFixed(3)}\t${ordersCost(`${p.name}'s Postgres`).toFixed(3)}`);
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
