import { randomUUID } from 'node:crypto';
import type { Cluster } from '@ticketpro/tests/support/cluster';
import type { Registered } from '@ticketpro/tests/support/users';
import type { BenchOptions, RunLength } from '../options';
import { autocannonLength, runLoad, type LoadFigures } from '../load';
import { measureHotRow, type HotRowFigures } from '../hot-row';
import { registerMany, seedEvent } from '../seed';
import { postgresBackends, processSource, startCpuReading, type CpuSource, type CpuSpent } from '../cpu';
import type { SingleProcess } from '../embedded';
import { consumersCaughtUp, queuedMailSent, whilePaused } from '../pause';

/**
 * The services that follow `ordering.order.created` after the buyer has the answer (issues 15 and
 * 17 added them): the core checkout runs with them paused, on the processes issue 14 lists.
 */
const AFTER_THE_ANSWER = ['notifications', 'reporting'];

/** More than a run at any speed this machine reaches can sell (the API's largest quantity). */
const HOT_QUANTITY = 100_000;

export interface CheckoutFigures {
  buyers: number;
  connections: number;
  orders: LoadFigures;
  /** CPU ms each process (and Postgres's backends, and the NATS server) spent per order. */
  cpuPerOrder: CpuSpent;
  /**
   * The same load again with only the processes issue 14 lists (gateway, identity, catalog,
   * ordering, ticketing, Postgres, NATS): the services in `paused` stopped meanwhile, and let
   * catch up on the events before anything else is measured.
   */
  core: { orders: LoadFigures; cpuPerOrder: CpuSpent; paused: string[] };
  /** The same load on the single-process checkout (bench/monolith-checkout-server.ts). */
  monolith: LoadFigures;
  monolithCpuPerOrder: CpuSpent;
  hotRow: HotRowFigures;
}

/**
 * Many buyers checking out one unit each of one ticket type, every request under its own
 * Idempotency-Key, with the CPU each process spent; then the same with the services that follow
 * the order after the answer paused (`core`); then the same load on the single-process
 * checkout (started by `startMonolith` once TicketPro's run is over, on copies of the tables as
 * they are then); then the hot-row limit of that same kind of row: the same UPDATE from as many
 * connections as catalog's instances can open together.
 */
export async function measureCheckout(
  cluster: Cluster,
  organizer: Registered,
  catalogConnections: number,
  /** The cluster's NATS server. */
  natsCpu: CpuSource,
  startMonolith: () => Promise<SingleProcess>,
  options: BenchOptions,
): Promise<CheckoutFigures> {
  const buyers = await registerMany(cluster.api, options.checkoutBuyers);
  const sale = await seedEvent(cluster.api, organizer, [
    { name: 'Hot general admission', quantity: HOT_QUANTITY },
    { name: 'Scratch row for the hot-row limit', quantity: HOT_QUANTITY },
  ]);
  const [hotTicketType, scratchTicketType] = sale.ticketTypeIds;

  const checkoutLoad = (baseUrl: string, length: RunLength = options.runLength) => {
    let next = 0;
    return runLoad({
      url: `${baseUrl}/api/v1/orders`,
      method: 'POST',
      connections: options.checkoutConnections,
      ...autocannonLength(length),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        event_id: sale.eventId,
        payment_method: 'credit_card',
        items: [{ ticket_type_id: hotTicketType, quantity: 1 }],
      }),
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            headers: {
              ...request.headers,
              authorization: `Bearer ${buyers[next++ % buyers.length].access}`,
              'idempotency-key': randomUUID(),
            },
          }),
        },
      ],
    });
  };
  const postgres = postgresBackends(cluster.env.DATABASE_URL);

  // What a run leaves to the consumers and the mail dispatcher is done before the next is measured.
  const backlogCleared = async () => {
    await consumersCaughtUp(cluster.env.NATS_URL, cluster.env.EVENT_STREAM);
    await queuedMailSent(cluster.env.DATABASE_URL);
  };
  const measureOnCluster = async (processes: typeof cluster.processes) => {
    const cpu = await startCpuReading([...processes.map((p) => processSource(p.name, p.child.pid)), postgres, natsCpu]);
    const figures = await checkoutLoad(cluster.baseUrl);
    // With every process running, what the consumers and the mail dispatcher still owe the
    // run's orders when its load ends is charged to them too.
    if (processes.length === cluster.processes.length) await backlogCleared();
    return { orders: figures, cpuPerOrder: perOrder(await cpu.finish(), figures.succeeded) };
  };
  // Unmeasured first, as the read path: a cold process's first orders (modules loaded on first
  // use, code not yet optimised) would be charged to the run, and most to the first of them.
  const warmUp = async (baseUrl: string) => {
    if (options.warmupSeconds > 0) await checkoutLoad(baseUrl, { seconds: options.warmupSeconds });
  };
  await warmUp(cluster.baseUrl);
  await backlogCleared();
  const { orders, cpuPerOrder } = await measureOnCluster(cluster.processes);

  const paused = cluster.processes.filter((p) => AFTER_THE_ANSWER.includes(p.name));
  const running = cluster.processes.filter((p) => !paused.includes(p));
  const core = await whilePaused(paused, () => measureOnCluster(running));
  await backlogCleared();

  const monolithServer = await startMonolith();
  await warmUp(monolithServer.baseUrl);
  const monolithCpu = await startCpuReading([processSource('monolith', monolithServer.process.child.pid), postgres]);
  const monolith = await checkoutLoad(monolithServer.baseUrl);
  const monolithCpuPerOrder = perOrder(await monolithCpu.finish(), monolith.succeeded);
  await monolithServer.process.stop();

  const hotRow = await measureHotRow(
    cluster.env.DATABASE_URL,
    { eventId: sale.eventId, ticketTypeId: scratchTicketType },
    catalogConnections,
    options.runLength,
  );
  return {
    buyers: buyers.length,
    connections: options.checkoutConnections,
    orders,
    cpuPerOrder,
    core: { ...core, paused: [...new Set(paused.map((p) => p.name))] },
    monolith,
    monolithCpuPerOrder,
    hotRow,
  };
}

/** CPU ms per order, by source; processes of one name (instances of a service) added up. */
function perOrder(spent: CpuSpent, orders: number): CpuSpent {
  return Object.fromEntries(Object.entries(spent).map(([name, ms]) => [name, orders > 0 ? ms / orders : NaN]));
}
