import { randomUUID } from 'node:crypto';
import type { Cluster } from '@ticketpro/tests/support/cluster';
import type { Registered } from '@ticketpro/tests/support/users';
import type { BenchOptions } from '../options';
import { autocannonLength, runLoad, type LoadFigures } from '../load';
import { measureHotRow, type HotRowFigures } from '../hot-row';
import { registerMany, seedEvent } from '../seed';

/** More than a run at any speed this machine reaches can sell (the API's largest quantity). */
const HOT_QUANTITY = 100_000;

export interface CheckoutFigures {
  buyers: number;
  connections: number;
  orders: LoadFigures;
  hotRow: HotRowFigures;
}

/**
 * Many buyers checking out one unit each of one ticket type, every request under its own
 * Idempotency-Key, against the hot-row limit of that same kind of row measured right after:
 * the same UPDATE from as many connections as catalog's instances can open together.
 */
export async function measureCheckout(
  cluster: Cluster,
  organizer: Registered,
  catalogConnections: number,
  options: BenchOptions,
): Promise<CheckoutFigures> {
  const buyers = await registerMany(cluster.api, options.checkoutBuyers);
  const sale = await seedEvent(cluster.api, organizer, [
    { name: 'Hot general admission', quantity: HOT_QUANTITY },
    { name: 'Scratch row for the hot-row limit', quantity: HOT_QUANTITY },
  ]);
  const [hotTicketType, scratchTicketType] = sale.ticketTypeIds;

  let next = 0;
  const orders = await runLoad({
    url: `${cluster.baseUrl}/api/v1/orders`,
    method: 'POST',
    connections: options.checkoutConnections,
    ...autocannonLength(options.runLength),
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
  const hotRow = await measureHotRow(
    cluster.env.DATABASE_URL,
    { eventId: sale.eventId, ticketTypeId: scratchTicketType },
    catalogConnections,
    options.runLength,
  );
  return { buyers: buyers.length, connections: options.checkoutConnections, orders, hotRow };
}
