import type { Knex } from 'knex';
import { ConflictError, UnprocessableError, type Event, type HoldResult } from '@ticketpro/shared';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { inventoryOf } from '../support/catalog-database';
import { createEvent, createTicketType, hold, holdParams } from '../support/catalog-fixtures';
import { holdTogether } from '../../src/inventory/hold-together';

const LIMITS = { pendingOrders: 1000, unitsPerEvent: 1000 };
const OFFER_SECONDS = 600;

let node: CatalogNode;
let db: Knex;
let event: Event;

beforeAll(async () => {
  node = await startCatalogNode('catalog_hold_together');
  db = node.db;
  event = await createEvent(node.broker);
});

afterAll(() => node?.stop());

/**
 * The transaction that wrote each order's hold, by order id, told by when it started: `created_at`
 * is `now()`, the start of the (top-level) transaction, to the microsecond.
 */
async function transactionsOf(orderIds: number[]): Promise<Map<number, string>> {
  const rows: { order_id: number; started: string }[] = await db('holds')
    .whereIn('order_id', orderIds)
    .select('order_id', db.raw('created_at::text AS started'));
  return new Map(rows.map((row) => [row.order_id, row.started]));
}

const fulfilled = (outcome: PromiseSettledResult<HoldResult>) => {
  if (outcome.status !== 'fulfilled') throw outcome.reason;
  return outcome.value;
};

describe('holds held together (group commit)', () => {
  it('holds a batch in one transaction, each order all or nothing: a refused order keeps the others', async () => {
    const scarce = await createTicketType(node.broker, event.id, { quantity: 3 });
    const [first, tooMany, stale, last] = [
      holdParams(event.id, [{ ticket_type_id: scarce.id, quantity: 1 }]),
      holdParams(event.id, [{ ticket_type_id: scarce.id, quantity: 3 }]),
      holdParams(event.id, [{ ticket_type_id: scarce.id, quantity: 1 }], { expiresInMs: -1000 }),
      holdParams(event.id, [{ ticket_type_id: scarce.id, quantity: 2 }]),
    ];

    const outcomes = await holdTogether(db, [first, tooMany, stale, last], LIMITS, OFFER_SECONDS);

    expect(fulfilled(outcomes[0]).order_id).toBe(first.order_id);
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: expect.any(ConflictError) });
    expect(outcomes[2]).toMatchObject({ status: 'rejected', reason: expect.any(UnprocessableError) });
    expect(fulfilled(outcomes[3]).order_id).toBe(last.order_id);
    const inventory = await inventoryOf(db, scarce.id);
    expect(inventory).toMatchObject({ held: 3, heldByHolds: 3 });
    const written = await transactionsOf([first.order_id, tooMany.order_id, stale.order_id, last.order_id]);
    expect([...written.keys()].sort()).toEqual([first.order_id, last.order_id].sort());
    expect(written.get(first.order_id)).toBe(written.get(last.order_id));
  });

  it('answers an order repeated within a batch with the hold it has, taking its units once', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 10 });
    const params = holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 2 }]);

    const [once, again] = await holdTogether(db, [params, { ...params }], LIMITS, OFFER_SECONDS);

    expect(fulfilled(again)).toEqual(fulfilled(once));
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 2, heldByHolds: 2 });
  });

  it('holds each order alone when the batch fails for another reason than an order refused', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 10 });
    const [good, broken, alsoGood] = [
      holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }]),
      // Not an order id Postgres can store: the statement fails, not the order's rules.
      { ...holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }]), order_id: 1.5 },
      holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }]),
    ];

    const outcomes = await holdTogether(db, [good, broken, alsoGood], LIMITS, OFFER_SECONDS);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 2, heldByHolds: 2 });
    const written = await transactionsOf([good.order_id, alsoGood.order_id]);
    expect(written.get(good.order_id)).not.toBe(written.get(alsoGood.order_id));
  });

  it('coalesces holds of one ticket type that arrive while one is in flight, and sells exactly what there is', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 15 });
    const requests = Array.from({ length: 25 }, () =>
      holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }]),
    );

    const settled = await Promise.allSettled(requests.map((params) => hold(node.broker, params)));

    const held = settled.filter((s) => s.status === 'fulfilled');
    expect(held).toHaveLength(15);
    expect(settled.filter((s) => s.status === 'rejected').every((s) => s.reason.code === 409)).toBe(true);
    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 15, heldByHolds: 15 });
    const transactions = new Set((await transactionsOf(requests.map((r) => r.order_id))).values());
    expect(transactions.size).toBeLessThan(15);
  });
});
