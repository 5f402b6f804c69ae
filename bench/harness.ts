import { isDeepStrictEqual } from 'node:util';
import { loadConfig } from '@ticketpro/shared';
import { adminDatabaseUrl, type Api } from '@ticketpro/shared/testing';
import { startCluster } from '@ticketpro/tests/support/cluster';
import { register } from '@ticketpro/tests/support/users';
import type { RunningProcess } from '@ticketpro/tests/support/processes';
import { privateNatsServer } from '@ticketpro/tests/support/nats-server';
import type { BenchOptions, Scenario } from './options';
import type { Teardown } from './teardown';
import { describeMachine } from './machine';
import { startEmbedded } from './embedded';
import { startBaseline, startMonolith } from './baseline';
import { jwtKeyPair } from './jwt-key-pair';
import { seedEvent } from './seed';
import { MemorySampler } from './memory';
import { postgresBackends, processSource, type CpuSource } from './cpu';
import { renderResults, writeReport, type BenchResults } from './report';
import { measureReadPath } from './scenarios/read-path';
import { measureNatsHop } from './scenarios/nats-hop';
import { measureCheckout } from './scenarios/checkout';
import { measureFlashSale } from './scenarios/flash-sale';
import { measureLogin } from './scenarios/login';
import { measureEmbeddedStart } from './scenarios/embedded-start';
import { measureFailover } from './scenarios/failover';

/**
 * Limits that would throttle the load itself are off; the rest is the cluster's test
 * configuration (load shedding off too: the load generator shares the cores). The signing key
 * is given (as production should), so that the single-process checkout verifies the same tokens.
 */
const JWT_KEYS = jwtKeyPair();
const BENCH_ENV = {
  // What production hashes with: the login scenario measures it, and sign-ups are part of the load.
  PASSWORD_HASH_COST: 'owasp',
  JWT_PRIVATE_KEY: JWT_KEYS.privateKey,
  JWT_PUBLIC_KEY: JWT_KEYS.publicKey,
  RATE_LIMIT_LOGIN: '0',
  RATE_LIMIT_LOGIN_FAILURES: '0',
  RATE_LIMIT_REGISTER: '0',
  RATE_LIMIT_REFRESH: '0',
  RATE_LIMIT_WRITES: '0',
  // autocannon opens all its connections from one address.
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0',
};

/**
 * The bench's NATS server runs as deploy/ runs it: one Go processor, which wakes fewer threads per
 * message (docs/PERFORMANCE.md, issue 14 seventh pass). The machine's shared server may run
 * otherwise, and other work on it would be counted as the platform's.
 */
const DEPLOYED_NATS_ENV = { GOMAXPROCS: '1' };

/** The read path's event: a few ticket types, as a typical event page shows them. */
const READ_EVENT_TICKET_TYPES = [
  { name: 'General admission', price: 19.99, quantity: 500 },
  { name: 'Terraces', price: 9.5, quantity: 1000 },
  { name: 'VIP lounge', price: 120, quantity: 50, max_per_order: 4 },
];

const progress = (message: string) => console.error(`bench: ${message}`);

/** The scenarios that run on the cluster of one instance per service. */
const CLUSTER_SCENARIOS: readonly Scenario[] = ['read', 'hop', 'checkout', 'flash-sale', 'login'];

/**
 * Runs each chosen scenario once, prints the results and writes the report to `options.output`.
 * Everything started is registered with `teardown`, which runs when the bench ends either way.
 */
export async function runBench(options: BenchOptions, teardown: Teardown): Promise<BenchResults> {
  const runs = (scenario: Scenario) => options.scenarios.has(scenario);
  const memory = new MemorySampler();
  teardown.add('stop sampling memory', async () => memory.stop());
  try {
    const nats = await privateNatsServer('bench', { env: DEPLOYED_NATS_ENV });
    teardown.add("stop the bench's NATS server and remove its store", () => nats.destroy());
    const env = { ...BENCH_ENV, NATS_URL: nats.url };
    const natsCpu = processSource('NATS', nats.pid());
    const machine = await describeMachine(adminDatabaseUrl(), nats.url, nats.pid());
    const results: BenchResults = { date: new Date(), machine, options };

    // First, while nothing else of the bench runs: how long a newcomer's `npm start` takes.
    if (runs('start')) {
      progress('0. npm start: first start, a whole sale, restart');
      results.embeddedStart = await measureEmbeddedStart(teardown);
    }
    if (CLUSTER_SCENARIOS.some(runs))
      Object.assign(results, await runOnCluster(env, natsCpu, options, memory, teardown));
    if (runs('failover')) {
      progress('8. failover: one instance of each service killed under load');
      results.failover = await measureFailover(env, options, teardown);
    }

    const rendered = renderResults(results);
    console.log(rendered);
    writeReport(options.output, rendered);
    progress(`report written to ${options.output}`);
    return results;
  } finally {
    progress('stopping everything it started');
    await teardown.run();
  }
}

/** The chosen scenarios of one cluster (with the embedded process and the baseline server for reads), and its memory. */
async function runOnCluster(
  env: Record<string, string>,
  natsCpu: CpuSource,
  options: BenchOptions,
  memory: MemorySampler,
  teardown: Teardown,
): Promise<Partial<BenchResults>> {
  const runs = (scenario: Scenario) => options.scenarios.has(scenario);
  const results: Partial<BenchResults> = {};
  /** The bench's cache-off gateway, which the later scenarios neither load nor count. */
  let benchGateway: RunningProcess | undefined;
  const reads = runs('read') || runs('hop');
  progress(`starting the distributed cluster${reads ? ', the embedded process and the baseline server' : ''}`);
  const starting = startCluster('bench', env);
  // Registered before it is up, so that Ctrl-C while it starts still stops it (a failed start stops itself).
  teardown.add('stop the cluster and drop its database and stream', () =>
    starting.then(
      (cluster) => cluster.stop(),
      () => undefined,
    ),
  );
  const cluster = await starting;
  const poolMax = loadConfig(cluster.env).DATABASE_POOL_MAX;
  results.deployment = `${describeProcesses(cluster.processes.map((p) => p.name))}, DATABASE_POOL_MAX ${poolMax}`;
  const organizer = await register(cluster.api, { role: 'organizer' });
  // Idle sizes are taken once everything is started and seeded.
  const trackMemory = (processes: RunningProcess[]) => {
    for (const proc of processes) memory.track(proc);
    memory.start();
  };

  if (reads) {
    // Started and seeded side by side: nothing is measured until all of it is done.
    // The cache off on a second gateway and in the embedded process (READ_MODES says why).
    const cacheOff = { EVENT_READ_CACHE_MS: '0' };
    const [embedded, baseline, uncachedGateway] = await Promise.all([
      startEmbedded({ ...cluster.env, ...cacheOff }, teardown),
      startBaseline(cluster.env.DATABASE_URL, poolMax, teardown),
      cluster.startGateway(cacheOff),
    ]);
    const [distributedEvent, embeddedEvent] = await Promise.all([
      seedEvent(cluster.api, organizer, READ_EVENT_TICKET_TYPES),
      register(embedded.api, { role: 'organizer' }).then((host) =>
        seedEvent(embedded.api, host, READ_EVENT_TICKET_TYPES),
      ),
    ]);
    const eventPath = (id: number) => `/api/v1/events/${id}`;
    await assertSameAnswer(cluster.api, baseline.api, eventPath(distributedEvent.eventId));
    // The cache-off gateway is the bench's, not the deployment's: its memory is not reported.
    trackMemory([
      ...cluster.processes.filter((p) => p !== uncachedGateway.process),
      embedded.process,
      baseline.process,
    ]);

    const eventUrls = {
      distributed: `${cluster.baseUrl}${eventPath(distributedEvent.eventId)}`,
      uncached: `${uncachedGateway.baseUrl}${eventPath(distributedEvent.eventId)}`,
      embedded: `${embedded.baseUrl}${eventPath(embeddedEvent.eventId)}`,
      baseline: `${baseline.baseUrl}${eventPath(distributedEvent.eventId)}`,
    };
    const serving = (name: string) => cluster.processes.find((p) => p.name === name)?.child.pid;
    if (runs('read')) {
      progress('1. read path');
      results.readPath = await measureReadPath(
        eventUrls,
        {
          distributed: [
            processSource('gateway', serving('gateway')),
            processSource('catalog', serving('catalog')),
            natsCpu,
          ],
          uncached: [
            processSource('gateway', uncachedGateway.process.child.pid),
            processSource('catalog', serving('catalog')),
            natsCpu,
          ],
          embedded: [processSource('embedded', embedded.process.child.pid)],
          baseline: [processSource('baseline', baseline.process.child.pid)],
        },
        options,
      );
    }
    if (runs('hop')) {
      progress('2. NATS hop');
      // With the cache on, the distributed reads would not cross NATS at all.
      results.natsHop = await measureNatsHop(
        { distributed: eventUrls.uncached, embedded: eventUrls.embedded },
        {
          distributed: [
            processSource('gateway', uncachedGateway.process.child.pid),
            processSource('catalog', serving('catalog')),
            natsCpu,
            postgresBackends(cluster.env.DATABASE_URL),
          ],
          embedded: [processSource('embedded', embedded.process.child.pid), postgresBackends(embedded.databaseUrl)],
        },
        options,
      );
    }
    // Done with them: their connections and cores go back to the scenarios still to come.
    // The cache-off gateway stays up with the cluster: stopped, its token-revocation feed's
    // consumer would stay behind on the stream for minutes, and the checkout waits for every consumer.
    benchGateway = uncachedGateway.process;
    await Promise.all([embedded.process.stop(), baseline.process.stop()]);
  } else {
    trackMemory(cluster.processes);
  }

  if (runs('checkout')) {
    progress('3. checkout on one hot ticket type, and the hot-row limit');
    const catalogInstances = cluster.processes.filter((p) => p.name === 'catalog').length;
    results.checkout = await measureCheckout(
      { ...cluster, processes: cluster.processes.filter((p) => p !== benchGateway) },
      organizer,
      poolMax * catalogInstances,
      natsCpu,
      () => startMonolith(cluster.env, JWT_KEYS.publicKey, poolMax, teardown),
      options,
    );
  }
  if (runs('flash-sale')) {
    progress(`4. flash sale (registering ${options.flashSaleBuyers} buyers first)`);
    results.flashSale = await measureFlashSale(cluster.api, organizer, options);
  }
  if (runs('login')) {
    progress('5. login');
    results.login = await measureLogin(cluster.api, cluster.baseUrl, cluster.env.DATABASE_URL, options);
  }
  results.memory = memory.stop();
  // Before the failover's own cluster: two instances of every service would crowd the cores.
  await cluster.stop();
  return results;
}

/** The baseline must answer exactly what catalog answers, or it is no baseline. */
async function assertSameAnswer(distributed: Api, baseline: Api, path: string): Promise<void> {
  // The first read may fetch the organizer's name from identity; the second reads the projection, as the baseline does.
  await distributed('GET', path);
  const [expected, actual] = await Promise.all([distributed('GET', path), baseline('GET', path)]);
  if (expected.status !== 200 || actual.status !== 200 || !isDeepStrictEqual(expected.body, actual.body)) {
    throw new Error(
      `the baseline answers ${path} differently from catalog:\n` +
        `catalog (${expected.status}): ${JSON.stringify(expected.body)}\nbaseline (${actual.status}): ${JSON.stringify(actual.body)}`,
    );
  }
}

/** E.g. "gateway, identity, catalog × 2, ordering, ticketing as separate processes". */
function describeProcesses(names: string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  const parts = [...counts].map(([name, n]) => (n > 1 ? `${name} × ${n}` : name));
  return `${parts.join(', ')} as separate processes over NATS`;
}
