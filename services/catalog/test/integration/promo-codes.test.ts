import type { Knex } from 'knex';
import { call, type Event, type HoldResult, type ParamsOf, type TicketType } from '@ticketpro/shared';
import { malformed } from '@ticketpro/shared/testing';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import {
  admin,
  as,
  createEvent,
  createTicketType,
  hold,
  holdInRace,
  holdParams,
  newHolder,
  organizer,
  otherOrganizer,
  plainUser,
} from '../support/catalog-fixtures';

let node: CatalogNode;
let db: Knex;
let event: Event;
let regular: TicketType;
let vip: TicketType;

beforeAll(async () => {
  node = await startCatalogNode('catalog_promo_codes');
  db = node.db;
  event = await createEvent(node.broker);
  regular = await createTicketType(node.broker, event.id, { name: 'Regular', price: 19.99, quantity: 500 });
  vip = await createTicketType(node.broker, event.id, { name: 'VIP lounge', price: 50, quantity: 500 });
});

afterAll(() => node?.stop());

const create = (fields: Omit<ParamsOf<'catalog.promoCodes.create'>, 'id'>, caller = organizer, eventId = event.id) =>
  call(node.broker, 'catalog.promoCodes.create', { id: eventId, ...fields }, as(caller));
const update = (
  codeId: number,
  fields: Omit<ParamsOf<'catalog.promoCodes.update'>, 'id' | 'code_id'>,
  caller = organizer,
) => call(node.broker, 'catalog.promoCodes.update', { id: event.id, code_id: codeId, ...fields }, as(caller));

let codes = 0;
/** A spelling no other code of the file has. */
const newCode = (stem = 'SAVE') => `${stem}${++codes}x${Math.floor(Math.random() * 1e6)}`;

describe('managing promo codes', () => {
  it('creates, reads, lists, changes and deletes a code of the organizer', async () => {
    const code = newCode();
    const created = await create({ code, percent_off: 10, max_uses: 5, ticket_type_ids: [regular.id] });
    expect(created).toMatchObject({
      code,
      percent_off: 10,
      amount_off: null,
      ticket_type_ids: [regular.id],
      max_uses: 5,
      max_uses_per_user: null,
      unlocks_ticket_type_ids: [],
      uses: 0,
    });
    const ref = { id: event.id, code_id: created.id };
    await expect(call(node.broker, 'catalog.promoCodes.get', ref, as(organizer))).resolves.toMatchObject({ code });
    const page = await call(node.broker, 'catalog.promoCodes.list', { id: event.id, skip: 0, limit: 100 }, as(admin));
    expect(page.items.map((c) => c.id)).toContain(created.id);
    await expect(update(created.id, { percent_off: null, amount_off: 5 })).resolves.toMatchObject({
      percent_off: null,
      amount_off: 5,
    });
    await call(node.broker, 'catalog.promoCodes.delete', ref, as(organizer));
    await expect(call(node.broker, 'catalog.promoCodes.get', ref, as(organizer))).rejects.toMatchObject({ code: 404 });
  });

  it('refuses another organizer (403) and plain users (403), and never shows them the codes', async () => {
    const created = await create({ code: newCode(), amount_off: 2 });
    const ref = { id: event.id, code_id: created.id };
    for (const caller of [otherOrganizer, plainUser]) {
      await expect(call(node.broker, 'catalog.promoCodes.get', ref, as(caller))).rejects.toMatchObject({ code: 403 });
      await expect(
        call(node.broker, 'catalog.promoCodes.list', { id: event.id, skip: 0, limit: 20 }, as(caller)),
      ).rejects.toMatchObject({ code: 403 });
      await expect(create({ code: newCode(), amount_off: 1 }, caller)).rejects.toMatchObject({ code: 403 });
      await expect(update(created.id, { max_uses: 1 }, caller)).rejects.toMatchObject({ code: 403 });
    }
    const otherEvent = await createEvent(node.broker, otherOrganizer);
    await expect(
      call(node.broker, 'catalog.promoCodes.get', { id: otherEvent.id, code_id: created.id }, as(otherOrganizer)),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('refuses bad fields with 422, never 500', async () => {
    const bad = [
      { code: newCode(), percent_off: 101 },
      { code: newCode(), percent_off: 0 },
      { code: newCode(), amount_off: -1 },
      { code: newCode(), amount_off: 1e9 },
      { code: newCode(), percent_off: 10, amount_off: 5 },
      { code: newCode() },
      { code: 'bad\u0000code', percent_off: 10 },
      { code: 'x', percent_off: 10 },
      { code: newCode(), percent_off: 10, uses: 3 },
      { code: newCode(), percent_off: 10, event_id: 9 },
      { code: newCode(), percent_off: 10, max_uses: 0 },
      { code: newCode(), percent_off: 10, max_uses: 2 ** 31 },
      { code: newCode(), percent_off: 10, starts_at: '2027-02-01T00:00:00Z', ends_at: '2027-01-01T00:00:00Z' },
      { code: newCode(), percent_off: 10, ticket_type_ids: [2147483647] },
    ];
    for (const fields of bad) {
      await expect(create(malformed(fields))).rejects.toMatchObject({ code: 422 });
    }
  });

  it('answers two creates of one code at once (any case) with one 201 and one 409', async () => {
    const code = newCode('RACE');
    const settled = await Promise.allSettled([
      create({ code, percent_off: 10 }),
      create({ code: code.toLowerCase(), percent_off: 20 }),
    ]);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const [rejected] = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(rejected.reason).toMatchObject({ code: 409 });
  });
});

const codeUses = async (id: number) =>
  (await call(node.broker, 'catalog.promoCodes.get', { id: event.id, code_id: id }, as(organizer))).uses;

describe('redeeming a promo code with a hold', () => {
  it('takes a percentage off per line, rounded half to even to the cent, and matches the code in any case', async () => {
    const code = newCode();
    await create({ code, percent_off: 12.5, ticket_type_ids: [regular.id] });
    const held = await hold(node.broker, {
      ...holdParams(event.id, [
        { ticket_type_id: regular.id, quantity: 2 },
        { ticket_type_id: vip.id, quantity: 1 },
      ]),
      promo_code: code.toLowerCase(),
    });
    // 2 × 19.99 = 39.98; 12.5% = 4.9975 → 5.00. VIP is not discounted.
    expect(held).toMatchObject({
      promo_code: code,
      discount: '5.00',
      total_price: '84.98',
      items: [
        { ticket_type_id: regular.id, discount: '5.00' },
        { ticket_type_id: vip.id, discount: '0.00' },
      ],
    });
    // A repeat answers the same prices.
    await expect(
      hold(node.broker, {
        ...holdParams(event.id, []),
        order_id: held.order_id,
        items: [
          { ticket_type_id: regular.id, quantity: 2 },
          { ticket_type_id: vip.id, quantity: 1 },
        ],
      }),
    ).resolves.toMatchObject({ discount: '5.00', total_price: '84.98', promo_code: code });
  });

  it('takes a fixed amount off each ticket, never below its price', async () => {
    const code = newCode();
    await create({ code, amount_off: 30 });
    const held = await hold(node.broker, {
      ...holdParams(event.id, [
        { ticket_type_id: regular.id, quantity: 1 },
        { ticket_type_id: vip.id, quantity: 2 },
      ]),
      promo_code: code,
    });
    expect(held).toMatchObject({ discount: '79.99', total_price: '40.00' });
  });

  it('refuses an unknown, expired, not yet valid or used-up code with 422 naming it, taking nothing', async () => {
    const expired = newCode();
    const later = newCode();
    const once = newCode();
    await create({ code: expired, percent_off: 5, starts_at: '2020-01-01T00:00:00Z', ends_at: '2021-01-01T00:00:00Z' });
    await create({ code: later, percent_off: 5, starts_at: '2099-01-01T00:00:00Z' });
    await create({ code: once, percent_off: 5, max_uses: 1 });
    await hold(node.broker, {
      ...holdParams(event.id, [{ ticket_type_id: regular.id, quantity: 1 }]),
      promo_code: once,
    });
    const before = (await db('ticket_types').where('id', regular.id).first('held_quantity')).held_quantity;
    for (const [code, why] of [
      ['NOPE123', 'is not a code of this event'],
      [expired, 'has expired'],
      [later, 'is not valid yet'],
      [once, 'is used up'],
    ]) {
      await expect(
        holdInRace(node.broker, {
          ...holdParams(event.id, [{ ticket_type_id: regular.id, quantity: 1 }]),
          promo_code: code,
        }),
      ).rejects.toMatchObject({
        code: 422,
        message: `Promo code "${code}" ${why}`,
        data: { errors: [{ field: 'promo_code' }] },
      });
    }
    expect((await db('ticket_types').where('id', regular.id).first('held_quantity')).held_quantity).toBe(before);
  });

  it('keeps to the per-user limit, and gives the use back when the hold is released or lapses', async () => {
    const code = newCode();
    const created = await create({ code, percent_off: 50, max_uses: 2, max_uses_per_user: 1 });
    const buyer = newHolder();
    const first = await hold(node.broker, {
      ...holdParams(event.id, [{ ticket_type_id: regular.id, quantity: 1 }], { holder: buyer }),
      promo_code: code,
    });
    await expect(
      hold(node.broker, {
        ...holdParams(event.id, [{ ticket_type_id: regular.id, quantity: 1 }], { holder: buyer }),
        promo_code: code,
      }),
    ).rejects.toMatchObject({ code: 422 });
    await call(node.broker, 'catalog.inventory.release', { order_id: first.order_id });
    expect(await codeUses(created.id)).toBe(0);
    await hold(node.broker, {
      ...holdParams(event.id, [{ ticket_type_id: regular.id, quantity: 1 }], { holder: buyer, expiresInMs: 300 }),
      promo_code: code,
    });
    expect(await codeUses(created.id)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await codeUses(created.id)).toBe(0);
  });

  it('refuses to change an order priced with a code unit by unit (409)', async () => {
    const code = newCode();
    await create({ code, percent_off: 10 });
    const held = await hold(node.broker, {
      ...holdParams(event.id, [{ ticket_type_id: regular.id, quantity: 2 }]),
      promo_code: code,
    });
    await expect(
      call(node.broker, 'catalog.inventory.addUnit', {
        order_id: held.order_id,
        ticket_type_id: regular.id,
        holder: newHolder(),
        ref: `add-${held.order_id}`,
        expires_at: new Date(Date.now() + 60000).toISOString(),
      }),
    ).rejects.toMatchObject({ code: 409 });
  });

  it('lets exactly 10 of 100 racing holds redeem a 10-use code; the uses are exactly the discounted holds', async () => {
    const code = newCode('TEN');
    const created = await create({ code, percent_off: 20, max_uses: 10 });
    const settled = await Promise.allSettled(
      Array.from({ length: 100 }, () =>
        holdInRace(node.broker, {
          ...holdParams(event.id, [{ ticket_type_id: regular.id, quantity: 1 }]),
          promo_code: code,
        }),
      ),
    );
    const held = settled.filter((s): s is PromiseFulfilledResult<HoldResult> => s.status === 'fulfilled');
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason);
    expect(held).toHaveLength(10);
    expect(held.every((s) => s.value.discount === '4.00')).toBe(true);
    expect(refused.map((err) => `${err.code} ${err.message}`)).toEqual(
      Array.from({ length: 90 }, () => `422 Promo code "${code}" is used up`),
    );
    expect(await codeUses(created.id)).toBe(10);
    const discounted = await db('holds').where('promo_code_id', created.id).countDistinct('order_id as n').first();
    expect(Number(discounted?.n)).toBe(10);
  });

  it('sells a hidden ticket type only with a code that unlocks it, and never lists it publicly', async () => {
    const presale = await createTicketType(node.broker, event.id, { name: 'Presale', price: 10, hidden: true });
    expect(presale.hidden).toBe(true);
    const code = newCode('PRE');
    await create({ code, percent_off: 10, ticket_type_ids: [regular.id], unlocks_ticket_type_ids: [presale.id] });
    const other = newCode();
    await create({ code: other, percent_off: 10 });
    const item = [{ ticket_type_id: presale.id, quantity: 1 }];
    await expect(hold(node.broker, holdParams(event.id, item))).rejects.toMatchObject({ code: 404 });
    await expect(hold(node.broker, { ...holdParams(event.id, item), promo_code: other })).rejects.toMatchObject({
      code: 404,
    });
    // Unlocked, but not among the types it discounts: held at full price.
    await expect(hold(node.broker, { ...holdParams(event.id, item), promo_code: code })).resolves.toMatchObject({
      total_price: '10.00',
      discount: '0.00',
      promo_code: code,
    });
    const shown = await call(node.broker, 'catalog.events.get', { id: event.id });
    expect(shown.ticket_types.map((t) => t.id)).not.toContain(presale.id);
    const listed = await call(node.broker, 'catalog.ticketTypes.list', {
      event_id: event.id,
      skip: 0,
      limit: 100,
    });
    expect(listed.items.map((t) => t.id)).not.toContain(presale.id);
  });

  it('keeps one account to its per-user limit when its holds race: 20 at once, 2 uses allowed', async () => {
    const code = newCode('EACH');
    const created = await create({ code, amount_off: 1, max_uses_per_user: 2 });
    const buyer = newHolder();
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        hold(node.broker, {
          ...holdParams(event.id, [{ ticket_type_id: regular.id, quantity: 1 }], { holder: buyer }),
          promo_code: code,
        }),
      ),
    );
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(2);
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(refused.every((s) => s.reason.code === 422)).toBe(true);
    expect(await codeUses(created.id)).toBe(2);
  });
});
