import { call as callAction, type ActionName, type ParamsOf } from '@ticketpro/shared';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { as, createEvent, createTicketType, hold, holdParams, organizer } from '../support/catalog-fixtures';

/** One organizer cannot swell the public reads: ticket types per event are capped, list items are bounded. */
const MAX_TICKET_TYPES = 7;

let node: CatalogNode;

beforeAll(async () => {
  node = await startCatalogNode('catalog_bounded_reads', { MAX_TICKET_TYPES_PER_EVENT: MAX_TICKET_TYPES });
});

afterAll(() => node?.stop());

const call = <A extends ActionName>(action: A, params: ParamsOf<A>) =>
  callAction(node.broker, action, params, as(organizer));
const createTypes = (eventId: number, prices: number[]) =>
  Promise.all(prices.map((price) => createTicketType(node.broker, eventId, { price, name: `Seat at ${price}` })));

describe('ticket types per event', () => {
  it(`refuses the ${MAX_TICKET_TYPES + 1}th ticket type of an event (409); deleting one makes room`, async () => {
    const event = await createEvent(node.broker);
    const types = await createTypes(
      event.id,
      Array.from({ length: MAX_TICKET_TYPES }, (_, i) => 10 + i),
    );

    await expect(createTicketType(node.broker, event.id)).rejects.toMatchObject({
      code: 409,
      type: 'conflict',
      message: `The event already has ${MAX_TICKET_TYPES} ticket types, the most one event may have`,
      data: { event_id: event.id, limit: MAX_TICKET_TYPES, ticket_types: MAX_TICKET_TYPES },
    });
    expect((await call('catalog.events.get', { id: event.id })).ticket_types).toHaveLength(MAX_TICKET_TYPES);

    await call('catalog.ticketTypes.delete', { id: types[0].id });
    await expect(createTicketType(node.broker, event.id)).resolves.toMatchObject({ event_id: event.id });
  });

  it('lets only as many of the ticket types added at the same instant through as there is room for', async () => {
    const event = await createEvent(node.broker);
    await createTypes(event.id, [1, 2, 3, 4, 5]);

    const settled = await Promise.allSettled(Array.from({ length: 6 }, () => createTicketType(node.broker, event.id)));

    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(MAX_TICKET_TYPES - 5);
    expect(settled.filter((s) => s.status === 'rejected').every((s) => s.reason.code === 409)).toBe(true);
    expect((await call('catalog.events.get', { id: event.id })).ticket_types).toHaveLength(MAX_TICKET_TYPES);
  });
});

describe('catalog.events.list', () => {
  it('embeds the 5 cheapest live ticket types of each event, with availability, and how many it has', async () => {
    const location = `Bounded ${Date.now()}`;
    const many = await createEvent(node.broker, organizer, { location });
    const few = await createEvent(node.broker, organizer, { location });
    const none = await createEvent(node.broker, organizer, { location });
    const types = await createTypes(many.id, [30, 5, 12.5, 99, 5, 7]);
    const gone = await createTicketType(node.broker, many.id, { price: 1 });
    await call('catalog.ticketTypes.delete', { id: gone.id });
    await createTypes(few.id, [20, 10]);
    await hold(node.broker, holdParams(many.id, [{ ticket_type_id: types[1].id, quantity: 3 }]));

    const page = await call('catalog.events.list', { location, skip: 0, limit: 10 });

    const byId = new Map(page.items.map((item) => [item.id, item]));
    const cheapest = [...types].sort((a, b) => a.price - b.price || a.id - b.id).slice(0, 5);
    expect(byId.get(many.id)!.ticket_types.map((t) => t.id)).toEqual(cheapest.map((t) => t.id));
    expect(byId.get(many.id)!.ticket_types_total).toBe(6);
    expect(byId.get(many.id)!.ticket_types.find((t) => t.id === types[1].id)).toMatchObject({
      price: 5,
      available_quantity: 97,
      sold_quantity: 0,
    });
    expect(byId.get(few.id)).toMatchObject({ ticket_types: [{ price: 10 }, { price: 20 }], ticket_types_total: 2 });
    expect(byId.get(none.id)).toMatchObject({ ticket_types: [], ticket_types_total: 0 });

    // The whole list: the event itself, and its ticket types a page at a time.
    expect((await call('catalog.events.get', { id: many.id })).ticket_types).toHaveLength(6);
    const firstPage = await call('catalog.ticketTypes.list', {
      event_id: many.id,
      skip: 0,
      limit: 4,
    });
    expect(firstPage).toMatchObject({ total: 6, has_next: true });
    expect(firstPage.items.map((t) => t.price)).toEqual([5, 5, 7, 12.5]);
  });
});
