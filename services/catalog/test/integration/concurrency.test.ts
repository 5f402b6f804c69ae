import type { Knex } from 'knex';
import { call, type Event, type HoldResult } from '@ticketpro/shared';
import { knexStatementsDuring, type ActionsUnder } from '@ticketpro/shared/testing';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { inventoryOf } from '../support/catalog-database';
import {
  as,
  createEvent,
  createTicketType,
  hold,
  holdInRace,
  holdParams,
  organizer,
} from '../support/catalog-fixtures';
import { sweepExpiredHolds } from '../../src/inventory/sweep-expired-holds';

let node: CatalogNode;
let db: Knex;
let event: Event;

beforeAll(async () => {
  node = await startCatalogNode('catalog_concurrency');
  db = node.db;
  event = await createEvent(node.broker);
});

afterAll(() => node?.stop());

function outcomes<T>(settled: PromiseSettledResult<T>[]) {
  const fulfilled = settled.filter((s): s is PromiseFulfilledResult<T> => s.status === 'fulfilled').map((s) => s.value);
  const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason);
  return { fulfilled, rejected };
}

/** The counters a ticket type keeps must be exactly what its holds add up to, and within quantity. */
async function expectConsistent(ticketTypeId: number) {
  const inventory = await inventoryOf(db, ticketTypeId);
  expect(inventory.held).toBe(inventory.heldByHolds);
  expect(inventory.sold).toBe(inventory.soldByHolds);
  expect(inventory.sold + inventory.held).toBeLessThanOrEqual(inventory.quantity);
  return inventory;
}

describe('concurrent holds against real Postgres', () => {
  it('sells exactly 50 of 50 units to 200 orders racing for one each; the other 150 get 409', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 50 });

    const { fulfilled, rejected } = outcomes(
      await Promise.allSettled(
        Array.from({ length: 200 }, () =>
          holdInRace(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }])),
        ),
      ),
    );

    expect(fulfilled).toHaveLength(50);
    expect(rejected).toHaveLength(150);
    expect(rejected.every((err) => err.code === 409 && err.type === 'conflict')).toBe(true);
    const inventory = await expectConsistent(ticketType.id);
    expect(inventory.sold + inventory.held).toBe(50);
    expect(new Set(fulfilled.map((h) => h.order_id)).size).toBe(50);
    await expect(call(node.broker, 'catalog.ticketTypes.get', { id: ticketType.id })).resolves.toMatchObject({
      available_quantity: 0,
    });
  });

  it('keeps every multi-item hold all-or-nothing while some items run out', async () => {
    const scarce = await createTicketType(node.broker, event.id, { quantity: 7 });
    const plenty = await createTicketType(node.broker, event.id, { quantity: 40 });
    const middling = await createTicketType(node.broker, event.id, { quantity: 15 });
    // Items in both orders of ids, so two orders may lock the same rows from opposite ends.
    const baskets = [
      [
        { ticket_type_id: scarce.id, quantity: 1 },
        { ticket_type_id: plenty.id, quantity: 1 },
      ],
      [
        { ticket_type_id: plenty.id, quantity: 2 },
        { ticket_type_id: middling.id, quantity: 1 },
      ],
      [
        { ticket_type_id: middling.id, quantity: 1 },
        { ticket_type_id: scarce.id, quantity: 2 },
      ],
      [{ ticket_type_id: plenty.id, quantity: 1 }],
    ];
    const requests = Array.from({ length: 80 }, (_, i) => holdParams(event.id, baskets[i % baskets.length]));

    const settled = await Promise.allSettled(requests.map((params) => holdInRace(node.broker, params)));

    const { fulfilled, rejected } = outcomes(settled);
    expect(fulfilled.length).toBeGreaterThan(0);
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((err) => err.code === 409)).toBe(true);
    for (const [i, params] of requests.entries()) {
      const rows = await db('holds').where('order_id', params.order_id);
      expect(rows).toHaveLength(settled[i].status === 'fulfilled' ? params.items.length : 0);
    }
    for (const ticketType of [scarce, plenty, middling]) await expectConsistent(ticketType.id);
  });

  it('holds once for an order repeated at the same time, answering every repeat alike', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 20 });
    const params = holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 3 }]);

    const results = await Promise.all(Array.from({ length: 12 }, () => hold(node.broker, params)));

    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(await expectConsistent(ticketType.id)).toMatchObject({ held: 3 });
  });

  it('confirms, releases and restocks once each when the calls race with their repeats', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 20 });
    const [paid, cancelled] = [
      await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 4 }])),
      await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 5 }])),
    ];
    const racing = (
      action: Extract<ActionsUnder<'catalog.inventory.'>, 'confirm' | 'release' | 'restock'>,
      h: HoldResult,
    ) =>
      Promise.all(
        Array.from({ length: 8 }, () => call(node.broker, `catalog.inventory.${action}`, { order_id: h.order_id })),
      );

    const [confirmed, released] = await Promise.all([racing('confirm', paid), racing('release', cancelled)]);

    expect(confirmed.every((c) => c.units === 4)).toBe(true);
    expect(released.every((c) => c.units === 5)).toBe(true);
    expect(await expectConsistent(ticketType.id)).toMatchObject({ sold: 4, held: 0 });

    const restocked = await racing('restock', paid);
    expect(restocked.every((c) => c.units === 4)).toBe(true);
    expect(await expectConsistent(ticketType.id)).toMatchObject({ sold: 0, held: 0 });
  });

  it("lets an expired hold's units be held again at once, without any job running", async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 5 });
    const lapsing = await hold(
      node.broker,
      holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 5 }], { expiresInMs: 1000 }),
    );
    await expect(
      hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }])),
    ).rejects.toMatchObject({ code: 409 });

    await new Promise((resolve) => setTimeout(resolve, 1100));

    await expect(call(node.broker, 'catalog.ticketTypes.get', { id: ticketType.id })).resolves.toMatchObject({
      available_quantity: 5,
    });
    // No sweep has run: the hold is still marked held, and only reads discount it.
    expect(await db('holds').where('order_id', lapsing.order_id).first()).toMatchObject({ state: 'held' });
    await expect(
      hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 5 }])),
    ).resolves.toBeDefined();
    expect(await db('holds').where('order_id', lapsing.order_id).first()).toMatchObject({ state: 'expired' });
    expect(await expectConsistent(ticketType.id)).toMatchObject({ held: 5 });
  });

  it('never lets a lowered quantity and racing holds together exceed it', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 30 });

    const [update, ...holds] = await Promise.allSettled([
      call(node.broker, 'catalog.ticketTypes.update', { id: ticketType.id, quantity: 12 }, as(organizer)),
      ...Array.from({ length: 30 }, () =>
        hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }])),
      ),
    ]);

    const held = outcomes(holds).fulfilled.length;
    const inventory = await expectConsistent(ticketType.id);
    if (update.status === 'fulfilled') {
      expect(inventory.quantity).toBe(12);
      expect(held).toBeLessThanOrEqual(12);
    } else {
      expect(update.reason).toMatchObject({ code: 409 });
      expect(inventory.quantity).toBe(30);
      expect(held).toBeGreaterThan(12);
    }
  });

  it('deletes an event whatever holds race it: each lands first (and is never sold) or is refused', async () => {
    const target = await createEvent(node.broker);
    const ticketType = await createTicketType(node.broker, target.id, { quantity: 100 });

    const [deletion, ...holds] = await Promise.allSettled([
      call(node.broker, 'catalog.events.delete', { id: target.id }, as(organizer)),
      ...Array.from({ length: 20 }, () =>
        hold(node.broker, holdParams(target.id, [{ ticket_type_id: ticketType.id, quantity: 1 }])),
      ),
    ]);

    expect(deletion.status).toBe('fulfilled');
    const { fulfilled, rejected } = outcomes(holds);
    expect(rejected.every((err) => err.code === 404)).toBe(true);
    const inventory = await expectConsistent(ticketType.id);
    expect(inventory.held).toBe(fulfilled.length);
    const sales = await Promise.allSettled(
      fulfilled.map((held) => call(node.broker, 'catalog.inventory.confirm', { order_id: held.order_id })),
    );
    expect(sales.every((sale) => sale.status === 'rejected' && sale.reason.code === 409)).toBe(true);
    expect((await expectConsistent(ticketType.id)).sold).toBe(0);
  });

  it('gives every expired unit back exactly once when sweeps race (several catalog instances)', async () => {
    const types = [
      await createTicketType(node.broker, event.id, { quantity: 100 }),
      await createTicketType(node.broker, event.id, { quantity: 100 }),
      await createTicketType(node.broker, event.id, { quantity: 100 }),
    ];
    for (const ticketType of types) {
      for (let i = 0; i < 20; i++) {
        await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 3 }]));
      }
    }
    // Let them all lapse at once: waiting for short expiries would let the holds made later
    // reclaim the earlier ones, and how many depends on the machine's speed.
    const typeIds = types.map((t) => t.id);
    await db('holds')
      .whereIn('ticket_type_id', typeIds)
      .update({ expires_at: db.raw("now() - interval '1 second'") });
    const lapsedUnits = async (ticketTypeIds?: number[]): Promise<number> => {
      const query = db('holds').where('state', 'held').where('expires_at', '<=', db.fn.now());
      if (ticketTypeIds) query.whereIn('ticket_type_id', ticketTypeIds);
      const row: { units: number } = await query.first(db.raw('sum(quantity)::int AS units'));
      return row.units;
    };
    expect(await lapsedUnits(typeIds)).toBe(3 * 20 * 3);
    // The sweep takes every lapsed hold, earlier tests' too.
    const expired = await lapsedUnits();

    const reclaimed = await Promise.all(Array.from({ length: 4 }, () => sweepExpiredHolds(db, 900)));

    expect(reclaimed.reduce((sum, units) => sum + units, 0)).toBe(expired);
    for (const ticketType of types) expect(await expectConsistent(ticketType.id)).toMatchObject({ held: 0 });
    const states = await db('holds')
      .whereIn(
        'ticket_type_id',
        types.map((t) => t.id),
      )
      .distinct('state');
    expect(states).toEqual([{ state: 'expired' }]);
    // With nothing lapsed, a sweep is one question straight through the driver, and no transaction.
    const statements = await knexStatementsDuring(db, () => expect(sweepExpiredHolds(db, 900)).resolves.toBe(0));
    expect(statements.filter((sql) => /^begin|holds|waitlist_entries/i.test(sql))).toEqual([]);
  });
});
