import type { Knex } from 'knex';
import { call, type HoldResult, type TicketType } from '@ticketpro/shared';
import { malformed } from '@ticketpro/shared/testing';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { inventoryOf } from '../support/catalog-database';
import {
  admin,
  as,
  createEvent,
  createTicketType,
  hold,
  holdInRace,
  holdParams,
  organizer,
  otherOrganizer,
} from '../support/catalog-fixtures';

let node: CatalogNode;
let db: Knex;

beforeAll(async () => {
  node = await startCatalogNode('catalog_event_capacity');
  db = node.db;
});

afterAll(() => node?.stop());

const update = (id: number, changes: object, caller = organizer) =>
  call(node.broker, 'catalog.events.update', { id, ...changes }, as(caller));

/** Sold and live held units across the event's ticket types, from the holds themselves. */
async function takenOf(eventId: number): Promise<number> {
  const { rows } = await db.raw<{ rows: { units: number }[] }>(
    `SELECT coalesce(sum(h.quantity), 0)::int AS units FROM holds h JOIN ticket_types tt ON tt.id = h.ticket_type_id
     WHERE tt.event_id = ? AND (h.state = 'confirmed' OR (h.state = 'held' AND h.expires_at > now()))`,
    [eventId],
  );
  return rows[0].units;
}

async function threeTypes(eventId: number): Promise<TicketType[]> {
  return Promise.all(
    ['Early bird', 'Regular', 'VIP lounge'].map((name) =>
      createTicketType(node.broker, eventId, { name, quantity: 80 }),
    ),
  );
}

describe('event capacity', () => {
  it('is set on creation, shown on the event, and changed or removed by an update', async () => {
    const event = await createEvent(node.broker, organizer, { capacity: 500 });
    expect(event.capacity).toBe(500);
    await expect(call(node.broker, 'catalog.events.get', { id: event.id })).resolves.toMatchObject({ capacity: 500 });
    await expect(update(event.id, { capacity: 300 })).resolves.toMatchObject({ capacity: 300 });
    await expect(update(event.id, { capacity: null })).resolves.toMatchObject({ capacity: null });
    const plain = await createEvent(node.broker);
    expect(plain.capacity).toBeNull();
  });

  it('refuses a capacity out of range or of another type with 422, and another organizer with 403', async () => {
    const event = await createEvent(node.broker, organizer, { capacity: 10 });
    for (const capacity of [0, -1, 10000001, 1.5, '10']) {
      await expect(update(event.id, { capacity })).rejects.toMatchObject({ code: 422 });
    }
    await expect(
      call(node.broker, 'catalog.events.create', malformed({ capacity: 0, event_name: 'x' }), as(organizer)),
    ).rejects.toMatchObject({ code: 422 });
    await expect(update(event.id, { capacity: 20 }, otherOrganizer)).rejects.toMatchObject({ code: 403 });
    await expect(update(event.id, { capacity: 20 }, admin)).resolves.toMatchObject({ capacity: 20 });
  });

  it('sells across three types never more than the capacity, 150 holds racing for 50 seats', async () => {
    const event = await createEvent(node.broker, organizer, { capacity: 50 });
    const types = await threeTypes(event.id);
    const settled = await Promise.allSettled(
      Array.from({ length: 150 }, (_, i) =>
        holdInRace(node.broker, holdParams(event.id, [{ ticket_type_id: types[i % 3].id, quantity: 1 }])),
      ),
    );
    const held = settled.filter((s): s is PromiseFulfilledResult<HoldResult> => s.status === 'fulfilled');
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason);
    expect(held).toHaveLength(50);
    expect(refused).toHaveLength(100);
    expect(refused.filter((err) => err.code !== 409).map((err) => `${err.code} ${err.message}`)).toEqual([]);
    expect(await takenOf(event.id)).toBe(50);
    let counted = 0;
    for (const type of types) {
      const inventory = await inventoryOf(db, type.id);
      expect(inventory.held).toBe(inventory.heldByHolds);
      counted += inventory.held + inventory.sold;
    }
    expect(counted).toBe(50);
  });

  it('words a refusal by the event capacity, and gives seats back when a hold is released', async () => {
    const event = await createEvent(node.broker, organizer, { capacity: 3 });
    const [early, regular] = await threeTypes(event.id);
    const first = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: early.id, quantity: 3 }]));
    await expect(
      hold(node.broker, holdParams(event.id, [{ ticket_type_id: regular.id, quantity: 1 }])),
    ).rejects.toMatchObject({
      code: 409,
      message: 'The event is sold out: 0 of its seats left, 1 asked',
      data: { available: 0 },
    });
    await call(node.broker, 'catalog.inventory.release', { order_id: first.order_id });
    await expect(
      hold(node.broker, holdParams(event.id, [{ ticket_type_id: regular.id, quantity: 3 }])),
    ).resolves.toMatchObject({ items: [{ ticket_type_id: regular.id, quantity: 3 }] });
  });

  it('counts a lapsed hold as free seats', async () => {
    const event = await createEvent(node.broker, organizer, { capacity: 2 });
    const [early, regular] = await threeTypes(event.id);
    const lapsing = holdParams(event.id, [{ ticket_type_id: early.id, quantity: 2 }], { expiresInMs: 300 });
    await hold(node.broker, lapsing);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect(
      hold(node.broker, holdParams(event.id, [{ ticket_type_id: regular.id, quantity: 2 }])),
    ).resolves.toMatchObject({ items: [{ quantity: 2 }] });
    expect((await inventoryOf(db, early.id)).held).toBe(0);
  });

  it('never goes below what is sold and held (409), even while holds race the change', async () => {
    const event = await createEvent(node.broker, organizer, { capacity: 50 });
    const types = await threeTypes(event.id);
    await hold(node.broker, holdParams(event.id, [{ ticket_type_id: types[0].id, quantity: 5 }]));
    await expect(update(event.id, { capacity: 4 })).rejects.toMatchObject({
      code: 409,
      data: { capacity: 4, taken: 5 },
    });
    // Setting a capacity where there was none, while 24 holds race it: whichever order they
    // land in, the seats taken never pass the capacity the change left, or what it checked.
    await update(event.id, { capacity: null });
    const racing = Array.from({ length: 24 }, (_, i) =>
      hold(node.broker, holdParams(event.id, [{ ticket_type_id: types[i % 3].id, quantity: 1 }])),
    );
    const change = update(event.id, { capacity: 30 });
    const [changed] = await Promise.allSettled([change, ...racing]);
    const taken = await takenOf(event.id);
    if (changed.status === 'fulfilled') expect(taken).toBeLessThanOrEqual(30);
    else expect(changed.reason).toMatchObject({ code: 409 });
  });
});
