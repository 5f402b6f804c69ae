import type { AuthUser, Order } from '@ticketpro/shared';
import { orderingNodeForFile } from '../support/ordering-node';
import {
  createEvent,
  createTicketType,
  inventory,
  orderBody,
  payOrder,
  placeOrder,
} from '../support/ordering-fixtures';

// 100 buyers at once, then 50 payments: seconds on two cores, more than jest's default.
jest.setTimeout(30_000);

/**
 * Twice the units: enough that half the racing buyers must be refused. (200 queued on the one
 * row for longer than catalog's 4 s hold timeout on CI's loaded cores, and the last answered 504;
 * the bench's flash sale races 1000 buyers for 100 units.)
 */
const BUYERS = 100;

const node = orderingNodeForFile({ ORDER_HOLD_SECONDS: 600, DATABASE_POOL_MAX: 10 });

it('sells 50 units to 100 concurrent buyers: exactly 50 orders, 50 clean 409s, then 50 paid and sold', async () => {
  const event = await createEvent(node);
  const ticketType = await createTicketType(node, event.id, { quantity: 50 });
  const buyers: AuthUser[] = Array.from({ length: BUYERS }, (_, i) => ({ id: 10_000 + i, role: 'user' }));

  const started = Date.now();
  const outcomes = await Promise.allSettled(
    buyers.map((b) => placeOrder(node, b, orderBody(event.id, ticketType.id, 1))),
  );

  const placingMs = Date.now() - started;
  const placed = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const refused = outcomes.flatMap((o) =>
    o.status === 'rejected' ? [o.reason as { code: number; message: string }] : [],
  );
  expect(placed).toHaveLength(50);
  expect(refused).toHaveLength(BUYERS - 50);
  for (const refusal of refused)
    expect(refusal).toMatchObject({ code: 409, message: expect.stringContaining('sold out') });
  expect(await node.orderingDb('orders').where('event_id', event.id).count({ n: '*' }).first()).toEqual({ n: 50 });
  expect(await inventory(node, ticketType.id)).toEqual({ available: 0, sold: 0 });

  const owners = new Map(buyers.map((b) => [b.id, b]));
  const paying = Date.now();
  const paid = await Promise.all(placed.map((o: Order) => payOrder(node, owners.get(o.user_id), o.id)));
  // The figures the issue asks for, in the test output.
  console.info(
    `flash sale: ${BUYERS} orders in ${placingMs} ms (${Math.round((BUYERS * 1000) / placingMs)}/s), 50 payments in ${Date.now() - paying} ms`,
  );

  expect(paid.every((o) => o.payment_status === 'completed')).toBe(true);
  expect(await inventory(node, ticketType.id)).toEqual({ available: 0, sold: 50 });
  expect(
    await node.catalogDb('ticket_types').where('id', ticketType.id).first('sold_quantity', 'held_quantity'),
  ).toEqual({
    sold_quantity: 50,
    held_quantity: 0,
  });
});
