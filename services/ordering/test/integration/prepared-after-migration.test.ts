import { orderingNodeForFile } from '../support/ordering-node';
import { buyer, createEvent, createTicketType, orderBody, placeOrder } from '../support/ordering-fixtures';

/** A pool of two, so that the orders placed first have prepared the checkout's statements on both. */
const node = orderingNodeForFile({ DATABASE_POOL_MAX: 2 });

/**
 * A rolling deploy: a new instance's migration adds a column to `orders` while this instance's
 * pooled connections hold the checkout's INSERT prepared. A prepared statement whose result
 * columns follow the table's (`RETURNING *`) is refused by Postgres from then on ("cached plan
 * must not change result type"), and every checkout on this instance would fail until it restarted.
 */
describe('checkout after a migration changes the orders table', () => {
  it('keeps placing orders on connections that prepared its statements before', async () => {
    const event = await createEvent(node);
    const ticketType = await createTicketType(node, event.id, { quantity: 20 });
    const place = () => placeOrder(node, buyer, orderBody(event.id, ticketType.id, 1));
    await Promise.all([1, 2, 3, 4].map(place));

    await node.orderingDb.schema.alterTable('orders', (t) => t.text('gift_note'));

    for (let i = 0; i < 4; i++) await expect(place()).resolves.toMatchObject({ payment_status: 'pending' });
  });
});
