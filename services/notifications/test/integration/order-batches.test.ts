import { outboxEntry, type Database, type OrderEvent } from '@ticketpro/shared';
import { createDatabase } from '@ticketpro/shared';
import { createTestDatabase, type TestDatabase } from '@ticketpro/shared/testing';
import { migrations } from '../../migrations';
import { applyOrderEvents } from '../../src/projections/apply-order-events';

/**
 * The order feed applies a batch in one statement, leaving what applying its events one by one
 * does: each order's row holds its newest facts, and each event that calls for a message queues
 * it once, however often the event is delivered.
 */
let database: TestDatabase;
let db: Database;

const at = (minute: number) => new Date(Date.UTC(2027, 0, 1, 12, minute)).toISOString();

type Status = 'pending' | 'completed' | 'cancelled';
type OrderEventName = 'ordering.order.created' | 'ordering.order.paid' | 'ordering.order.cancelled';

/** An event of order `id` (buyer 5, event 7) at `minute`, of version 2 (payment facts) unless `v1`. */
function orderEvent(name: OrderEventName, id: number, status: Status, minute: number, method = 'ecocash', v1 = false) {
  const data = {
    id,
    user_id: 5,
    event_id: 7,
    total_price: '45.00' as never,
    currency: 'USD',
    payment_status: status,
    payment_method: method,
    expires_at: status === 'pending' ? at(minute + 15) : null,
    items: [{ ticket_type_id: 9, quantity: 1, unit_price: '45.00' as never }],
  };
  const { envelope } = outboxEntry(name, data as never);
  const dated = { ...envelope, time: at(minute) } as unknown as OrderEvent;
  if (!v1) return dated;
  const { payment_method: _method, expires_at: _expires, ...facts } = data;
  return { ...dated, dataversion: 1, data: facts } as unknown as OrderEvent;
}

const apply = (envelopes: OrderEvent[]) => db.transaction((trx) => applyOrderEvents(envelopes, trx));

const orderRow = (id: number) =>
  db('orders').where('order_id', id).first('payment_status', 'payment_method', 'expires_at', 'as_of');
const messagesOf = (id: number) => db('messages').where('order_id', id).orderBy('id').select('source', 'kind');

beforeAll(async () => {
  database = await createTestDatabase('notifications_order_batches');
  db = await createDatabase({ schema: 'notifications', url: database.url, dataDir: '.data', migrations });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

it('queues one message for an event delivered twice in a batch and again in a later one', async () => {
  const created = orderEvent('ordering.order.created', 1, 'pending', 1);
  await apply([created, created]);
  await apply([created]);
  expect(await messagesOf(1)).toEqual([{ source: created.id, kind: 'order_confirmation' }]);
});

it('applies two orders of one batch, each with its own row and message', async () => {
  const first = orderEvent('ordering.order.created', 2, 'pending', 1, 'ecocash');
  const second = orderEvent('ordering.order.created', 3, 'pending', 2, 'cash');
  await apply([first, second]);
  expect(await orderRow(2)).toMatchObject({ payment_status: 'pending', payment_method: 'ecocash' });
  expect(await orderRow(3)).toMatchObject({ payment_status: 'pending', payment_method: 'cash' });
  expect(await messagesOf(2)).toEqual([{ source: first.id, kind: 'order_confirmation' }]);
  expect(await messagesOf(3)).toEqual([{ source: second.id, kind: 'order_confirmation' }]);
});

it("folds an order's created and paid of one batch as one by one, whichever comes first", async () => {
  const created = orderEvent('ordering.order.created', 4, 'pending', 1, 'ecocash');
  const paid = orderEvent('ordering.order.paid', 4, 'completed', 2, 'cash');
  await apply([created, paid]);
  const afterBoth = { payment_status: 'completed', payment_method: 'cash', expires_at: null, as_of: new Date(at(2)) };
  expect(await orderRow(4)).toEqual(afterBoth);
  expect(await messagesOf(4)).toEqual([{ source: created.id, kind: 'order_confirmation' }]);

  const lateCreated = orderEvent('ordering.order.created', 5, 'pending', 1, 'ecocash');
  const earlyPaid = orderEvent('ordering.order.paid', 5, 'completed', 2, 'cash');
  await apply([earlyPaid, lateCreated]);
  expect(await orderRow(5)).toEqual(afterBoth);
  expect(await messagesOf(5)).toEqual([{ source: lateCreated.id, kind: 'order_confirmation' }]);
});

it('takes payment facts only from an event newer than the row, as one by one', async () => {
  // The row is at minute 3; the batch's version-2 event (minute 2) is older, its version-1 one (minute 4) newer.
  await apply([orderEvent('ordering.order.paid', 6, 'completed', 3, 'cash')]);
  await apply([
    orderEvent('ordering.order.created', 6, 'pending', 2, 'ecocash'),
    orderEvent('ordering.order.cancelled', 6, 'cancelled', 4, 'ecocash', true),
  ]);
  expect(await orderRow(6)).toMatchObject({
    payment_status: 'cancelled',
    payment_method: 'cash',
    as_of: new Date(at(4)),
  });
  expect((await messagesOf(6)).map((message) => message.kind)).toEqual(['order_confirmation', 'order_cancelled']);
});
