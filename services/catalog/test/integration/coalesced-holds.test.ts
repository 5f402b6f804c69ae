import type { Knex } from 'knex';
import { createLogger, type Event, type Holder, type HoldParams } from '@ticketpro/shared';
import { CoalescedHolds } from '../../src/inventory/coalesced-holds';
import type { HoldLimits } from '../../src/inventory/holder-limits';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { holdsOf, inventoryOf } from '../support/catalog-database';
import { createEvent, createTicketType, holdParams, newHolder, organizer } from '../support/catalog-fixtures';

const NO_LIMITS: HoldLimits = { pendingOrders: 0, unitsPerEvent: 0 };
const OFFER_SECONDS = 600;

let node: CatalogNode;
let db: Knex;
let event: Event;

beforeAll(async () => {
  node = await startCatalogNode('catalog_coalesced_holds');
  db = node.db;
  event = await createEvent(node.broker);
});

afterAll(() => node?.stop());

const logger = createLogger('coalesced-holds-test', 'silent');
const quiet = () => logger;

/** Holds asked for at once, as a catalog instance receives them under a rush; each one's outcome. */
async function holdAtOnce(requests: HoldParams[], limits = NO_LIMITS) {
  // Each transaction, a batch's or a hold's on its own, asks for the database once.
  let transactions = 0;
  const holds = new CoalescedHolds(() => {
    transactions += 1;
    return db;
  }, quiet);
  const settled = await Promise.allSettled(requests.map((params) => holds.hold(params, limits, OFFER_SECONDS)));
  return { settled, transactions };
}

const oneOf = (ticketTypeId: number, quantity = 1, options: { holder?: Holder; orderId?: number } = {}) =>
  holdParams(event.id, [{ ticket_type_id: ticketTypeId, quantity }], options);

/** The type's counters are exactly what its holds add up to. */
async function expectExact(ticketTypeId: number, held: number) {
  const inventory = await inventoryOf(db, ticketTypeId);
  expect(inventory.held).toBe(inventory.heldByHolds);
  expect(inventory.held).toBe(held);
  expect(inventory.sold + inventory.held).toBeLessThanOrEqual(inventory.quantity);
}

describe('holds of one ticket type coalesced into one statement', () => {
  it('holds two orders asked for at once, each its own', async () => {
    const type = await createTicketType(node.broker, event.id, { quantity: 10, price: 20 });
    const [first, second] = [oneOf(type.id), oneOf(type.id, 2)];

    const { settled } = await holdAtOnce([first, second]);

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
    const [a, b] = settled.map((s) => (s as PromiseFulfilledResult<{ order_id: number; total_price: string }>).value);
    expect([a.order_id, b.order_id]).toEqual([first.order_id, second.order_id]);
    expect([a.total_price, b.total_price]).toEqual(['20.00', '40.00']);
    await expectExact(type.id, 3);
  });

  it('takes the holds that arrive while one is in flight in one transaction, answered as a hold alone is', async () => {
    const type = await createTicketType(node.broker, event.id, { quantity: 100, price: 12.5 });
    const requests = Array.from({ length: 8 }, (_, i) => oneOf(type.id, 1 + (i % 3)));

    const { settled, transactions } = await holdAtOnce(requests);

    // The first goes at once, alone; the seven that arrive meanwhile go together.
    expect(transactions).toBe(2);
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
    for (const [i, s] of settled.entries()) {
      const quantity = requests[i].items[0].quantity;
      expect((s as PromiseFulfilledResult<unknown>).value).toEqual({
        order_id: requests[i].order_id,
        expires_at: new Date(requests[i].expires_at).toISOString(),
        currency: 'USD',
        total_price: (12.5 * quantity).toFixed(2),
        discount: '0.00',
        promo_code: null,
        items: [{ ticket_type_id: type.id, quantity, unit_price: '12.50', discount: '0.00' }],
      });
      await expect(holdsOf(db, requests[i].order_id)).resolves.toEqual([
        { ticket_type_id: type.id, quantity, state: 'held' },
      ]);
    }
    await expectExact(
      type.id,
      requests.reduce((sum, r) => sum + r.items[0].quantity, 0),
    );
  });

  it('sells out mid-batch exactly: the units go in the order the holds arrived, the rest are refused with 409', async () => {
    const type = await createTicketType(node.broker, event.id, { quantity: 5 });
    // 1 (alone) + 2 + 1 fit; then 2 does not; the 1 after it would, and is held on its own.
    const requests = [1, 2, 1, 2, 1, 3].map((quantity) => oneOf(type.id, quantity));

    const { settled } = await holdAtOnce(requests);

    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    for (const s of settled.filter((s) => s.status === 'rejected')) {
      expect(s.reason).toMatchObject({ code: 409, type: 'conflict' });
    }
    await expectExact(type.id, 5);
  });

  it('refuses a rush on a sold-out type in the batch, as a hold alone refuses, without a transaction each', async () => {
    const type = await createTicketType(node.broker, event.id, { quantity: 2, name: 'Front row' });
    const requests = Array.from({ length: 8 }, () => oneOf(type.id));

    const { settled, transactions } = await holdAtOnce(requests);

    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(2);
    for (const s of settled.slice(2)) {
      expect(s).toMatchObject({
        status: 'rejected',
        reason: { code: 409, message: '"Front row" is sold out: 0 left, 1 asked', data: { available: 0 } },
      });
    }
    expect(transactions).toBe(2);
    await expectExact(type.id, 2);
  });

  it('gives lapsed holds back before refusing anyone, and holds with what they freed', async () => {
    const type = await createTicketType(node.broker, event.id, { quantity: 2 });
    const lapsing = holdParams(event.id, [{ ticket_type_id: type.id, quantity: 1 }], { expiresInMs: 300 });
    await new CoalescedHolds(() => db, quiet).hold(lapsing, NO_LIMITS, OFFER_SECONDS);
    await new Promise((resolve) => setTimeout(resolve, 400));

    const { settled } = await holdAtOnce(Array.from({ length: 5 }, () => oneOf(type.id)));

    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(2);
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(3);
    await expect(holdsOf(db, lapsing.order_id)).resolves.toEqual([
      { ticket_type_id: type.id, quantity: 1, state: 'expired' },
    ]);
    await expectExact(type.id, 2);
  });

  it('refuses the one failing order of a batch as a hold alone would, and holds the others', async () => {
    const type = await createTicketType(node.broker, event.id, { quantity: 50, max_per_order: 2 });
    const otherEvent = await createEvent(node.broker);
    const requests = [
      oneOf(type.id),
      oneOf(type.id),
      oneOf(type.id, 3),
      holdParams(otherEvent.id, [{ ticket_type_id: type.id, quantity: 1 }]),
      oneOf(type.id, 2),
    ];

    const { settled, transactions } = await holdAtOnce(requests);

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({
      code: 422,
      data: { errors: [{ field: 'items.0.quantity', message: 'must be at most 2' }] },
    });
    expect((settled[3] as PromiseRejectedResult).reason).toMatchObject({
      code: 422,
      data: { errors: [{ field: 'items.0.ticket_type_id', message: 'belongs to another event' }] },
    });
    // The first alone, the batch, and each refused order on its own.
    expect(transactions).toBe(4);
    await expectExact(type.id, 4);
  });

  it('holds an order asked for twice in one batch once, and answers both alike', async () => {
    const type = await createTicketType(node.broker, event.id, { quantity: 20 });
    const repeated = oneOf(type.id, 2);
    const requests = [oneOf(type.id), repeated, oneOf(type.id), { ...repeated }];

    const { settled } = await holdAtOnce(requests);

    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
    const answers = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value);
    expect(answers[3]).toEqual(answers[1]);
    await expect(holdsOf(db, repeated.order_id)).resolves.toEqual([
      { ticket_type_id: type.id, quantity: 2, state: 'held' },
    ]);
    await expectExact(type.id, 4);
  });

  it("counts a limited holder's holds of one batch against their limits, one after the other", async () => {
    const type = await createTicketType(node.broker, event.id, { quantity: 50 });
    const greedy = newHolder();
    const requests = [oneOf(type.id), ...Array.from({ length: 4 }, () => oneOf(type.id, 1, { holder: greedy }))];

    const { settled } = await holdAtOnce(requests, { pendingOrders: 2, unitsPerEvent: 0 });

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect((settled[3] as PromiseRejectedResult).reason).toMatchObject({ code: 409, data: { limit: 2 } });
    await expectExact(type.id, 3);
  });

  it('keeps an order of several items all or nothing among single holds of its types', async () => {
    const scarce = await createTicketType(node.broker, event.id, { quantity: 3 });
    const plenty = await createTicketType(node.broker, event.id, { quantity: 30 });
    const basket = holdParams(event.id, [
      { ticket_type_id: plenty.id, quantity: 1 },
      { ticket_type_id: scarce.id, quantity: 2 },
    ]);
    const requests = [oneOf(scarce.id), oneOf(scarce.id), basket, oneOf(plenty.id), oneOf(scarce.id)];

    const { settled } = await holdAtOnce(requests);

    const basketHolds = await holdsOf(db, basket.order_id);
    expect(basketHolds).toHaveLength(settled[2].status === 'fulfilled' ? 2 : 0);
    const scarceHeld = (await inventoryOf(db, scarce.id)).held;
    expect(scarceHeld).toBe(3);
    await expectExact(scarce.id, 3);
    await expectExact(plenty.id, settled[2].status === 'fulfilled' ? 2 : 1);
  });
});

describe('a ticket type that is no plain case (its event has a capacity)', () => {
  it('is grouped no more once a batch has found it so, until what it found lapses', async () => {
    const capped = await createEvent(node.broker, organizer, { capacity: 100 });
    const type = await createTicketType(node.broker, capped.id, { quantity: 50 });
    let transactions = 0;
    const counted = () => {
      transactions += 1;
      return db;
    };
    /** Six holds of one unit at once through `holds`: how many transactions they took. */
    const rush = async (holds: CoalescedHolds) => {
      const before = transactions;
      const requests = Array.from({ length: 6 }, () =>
        holdParams(capped.id, [{ ticket_type_id: type.id, quantity: 1 }]),
      );
      const settled = await Promise.allSettled(requests.map((params) => holds.hold(params, NO_LIMITS, OFFER_SECONDS)));
      expect(settled.map((s) => s.status)).toEqual(Array(6).fill('fulfilled'));
      return transactions - before;
    };
    const remembering = new CoalescedHolds(counted, quiet);
    const forgetting = new CoalescedHolds(counted, quiet, 0);

    // The first alone; the batch of the other five reads the capacity, and each then goes on its own.
    expect(await rush(remembering)).toBe(7);
    // Known: each hold of the next rush on its own, and no batch.
    expect(await rush(remembering)).toBe(6);
    // What a batch found lapses (here at once): the type is grouped again, and found so again.
    expect(await rush(forgetting)).toBe(7);
    expect(await rush(forgetting)).toBe(7);
    await expectExact(type.id, 24);
  });
});
