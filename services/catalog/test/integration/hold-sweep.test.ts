import type { Knex } from 'knex';
import type { Event } from '@ticketpro/shared';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { inventoryOf } from '../support/catalog-database';
import { createEvent, createTicketType, hold, holdParams } from '../support/catalog-fixtures';

let node: CatalogNode;
let db: Knex;
let event: Event;

beforeAll(async () => {
  node = await startCatalogNode('catalog_sweep', { HOLD_SWEEP_INTERVAL_MS: 100 });
  db = node.db;
  event = await createEvent(node.broker);
});

afterAll(() => node?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the expired-hold sweep', () => {
  it('runs in the service on its own, marking expired holds and giving their units back', async () => {
    const ticketType = await createTicketType(node.broker, event.id, { quantity: 10 });
    const lapsing = await hold(
      node.broker,
      holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 4 }], { expiresInMs: 300 }),
    );
    const live = await hold(node.broker, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 2 }]));

    for (
      let waited = 0;
      (await db('holds').where('order_id', lapsing.order_id).first()).state === 'held';
      waited += 50
    ) {
      if (waited > 5000) throw new Error('The sweep did not run');
      await sleep(50);
    }

    expect(await inventoryOf(db, ticketType.id)).toMatchObject({ held: 2, heldByHolds: 2 });
    expect(await db('holds').where('order_id', live.order_id).first()).toMatchObject({ state: 'held' });
  });
});
