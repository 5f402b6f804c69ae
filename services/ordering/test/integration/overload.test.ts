import { createTestDatabase, type TestDatabase } from '@ticketpro/shared/testing';
import { startOrderingNode, type OrderingNode } from '../support/ordering-node';
import { buyer, createEvent, createTicketType, inventory, orderBody, placeOrder } from '../support/ordering-fixtures';

/** Long enough for catalog's hold to start waiting on the row the test locks, short next to the call's timeout. */
const LOCK_TIMEOUT_MS = 300;

/**
 * A checkout that meets an exhausted database: catalog's hold waits on a ticket type row longer
 * than the server's lock_timeout lets it (55P03), as it would behind a long-running transaction
 * under load. The buyer is told to come back (503 service-unavailable, which the gateway sends
 * with Retry-After), not that the server broke (500), and nothing of the order is left behind.
 */
describe('ordering: a database that gives up under load', () => {
  let database: TestDatabase;
  let node: OrderingNode;

  beforeAll(async () => {
    database = await createTestDatabase('overload');
    const url = new URL(database.url);
    url.searchParams.set('options', `-c lock_timeout=${LOCK_TIMEOUT_MS}`);
    node = await startOrderingNode({ DATABASE_URL: url.toString() });
  });
  afterAll(async () => {
    await node?.stop();
    await database?.drop();
  });

  it('answers 503 service-unavailable when a hold times out on a lock, leaving stock and orders as they were', async () => {
    const event = await createEvent(node);
    const ticketType = await createTicketType(node, event.id, { quantity: 5 });
    const body = { ...orderBody(event.id, ticketType.id, 2), idempotency_key: 'overload-1' };

    const refusal = await node.catalogDb.transaction(async (blocker) => {
      await blocker('ticket_types').where('id', ticketType.id).forUpdate().first('id');
      return placeOrder(node, buyer, body).then(
        () => undefined,
        (err: unknown) => err,
      );
    });

    expect(refusal).toMatchObject({ code: 503, type: 'service-unavailable' });
    expect(await inventory(node, ticketType.id)).toEqual({ available: 5, sold: 0 });
    expect(await node.catalogDb('holds').where('ticket_type_id', ticketType.id).count({ n: '*' }).first()).toEqual({
      n: 0,
    });
    expect(await node.orderingDb('orders').where('event_id', event.id).count({ n: '*' }).first()).toEqual({ n: 0 });

    // The refusal did not spend the idempotency key: the same request goes through once the lock is gone.
    const order = await placeOrder(node, buyer, body);
    expect(order.items).toHaveLength(1);
    expect(await inventory(node, ticketType.id)).toEqual({ available: 3, sold: 0 });
  });
});
