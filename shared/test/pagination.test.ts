import knexFactory, { type Knex } from 'knex';
import { Model } from 'objection';
import { pageOf, paginate, SoftDeleteModel } from '@ticketpro/shared';
import { createTestDatabase, type TestDatabase } from '@ticketpro/shared/testing';

describe('pageOf', () => {
  it('has neither neighbour when everything fits on the first page', () => {
    expect(pageOf([1, 2, 3], 3, { skip: 0, limit: 20 })).toEqual({
      items: [1, 2, 3],
      total: 3,
      skip: 0,
      limit: 20,
      has_next: false,
      has_prev: false,
    });
  });

  it('has a next page but no previous one at the start', () => {
    expect(pageOf([1, 2], 5, { skip: 0, limit: 2 })).toMatchObject({ has_next: true, has_prev: false });
  });

  it('has both in the middle', () => {
    expect(pageOf([3, 4], 5, { skip: 2, limit: 2 })).toMatchObject({ has_next: true, has_prev: true });
  });

  it('has no next page when the last page is exactly full', () => {
    expect(pageOf([3, 4], 4, { skip: 2, limit: 2 })).toMatchObject({ has_next: false, has_prev: true });
  });

  it('has only a previous page when skipping past the end', () => {
    expect(pageOf([], 4, { skip: 10, limit: 2 })).toMatchObject({ items: [], has_next: false, has_prev: true });
  });

  it('is empty with no neighbours when there is nothing', () => {
    expect(pageOf([], 0, { skip: 0, limit: 20 })).toMatchObject({ total: 0, has_next: false, has_prev: false });
  });
});

describe('paginate', () => {
  let database: TestDatabase;
  let knex: Knex;

  class Seat extends Model {
    static override tableName = 'seats';
    id!: number;
    label!: string;
  }

  class Booking extends SoftDeleteModel {
    static override tableName = 'bookings';
    id!: number;
  }

  beforeAll(async () => {
    database = await createTestDatabase('pagination');
    knex = knexFactory({ client: 'pg', connection: database.url });
    await knex.schema.createTable('seats', (t) => {
      t.increments('id');
      t.text('label').notNullable();
    });
    await knex('seats').insert(Array.from({ length: 7 }, (_, i) => ({ label: `S${i + 1}` })));
    await knex.schema.createTable('bookings', (t) => {
      t.increments('id');
      t.timestamps(true, true);
      t.timestamp('deleted_at', { useTz: true });
    });
    await Booking.query(knex).insert([{}, {}, {}, {}, {}]);
    await Booking.query(knex).whereIn('id', [1, 2]).softDelete();
  });

  afterAll(async () => {
    await knex?.destroy();
    await database?.drop();
  });

  it("answers one page of the caller's ordered query and the total", async () => {
    const page = await paginate(Seat.query(knex).orderBy('id', 'desc'), { skip: 2, limit: 3 });
    expect(page.items.map((s) => s.label)).toEqual(['S5', 'S4', 'S3']);
    expect(page).toMatchObject({ total: 7, skip: 2, limit: 3, has_next: true, has_prev: true });
  });

  it("counts only the rows the query's filters keep", async () => {
    const page = await paginate(Seat.query(knex).where('id', '>', 4).orderBy('id'), { skip: 0, limit: 2 });
    expect(page.items.map((s) => s.id)).toEqual([5, 6]);
    expect(page).toMatchObject({ total: 3, has_next: true, has_prev: false });
  });

  it('has no next page on the last one', async () => {
    const page = await paginate(Seat.query(knex).orderBy('id'), { skip: 5, limit: 5 });
    expect(page.items.map((s) => s.id)).toEqual([6, 7]);
    expect(page).toMatchObject({ total: 7, has_next: false, has_prev: true });
  });

  it('leaves soft-deleted rows out of both the page and the total', async () => {
    const page = await paginate(Booking.query(knex).orderBy('id'), { skip: 0, limit: 2 });
    expect(page.items.map((b) => b.id)).toEqual([3, 4]);
    expect(page).toMatchObject({ total: 3, has_next: true });
  });
});
