import { setTimeout as sleep } from 'node:timers/promises';
import knexFactory, { type Knex } from 'knex';
import { SoftDeleteModel } from '@ticketpro/shared';
import { createTestDatabase, type TestDatabase } from '@ticketpro/shared/testing';

class Venue extends SoftDeleteModel {
  static override tableName = 'venues';
  id!: number;
  name!: string;
  rooms?: Room[];

  static override get relationMappings() {
    return {
      rooms: {
        relation: SoftDeleteModel.HasManyRelation,
        modelClass: Room,
        join: { from: 'venues.id', to: 'rooms.venue_id' },
      },
    };
  }
}

class Room extends SoftDeleteModel {
  static override tableName = 'rooms';
  id!: number;
  venue_id!: number;
  name!: string;
}

describe('SoftDeleteModel', () => {
  let database: TestDatabase;
  let knex: Knex;

  beforeAll(async () => {
    database = await createTestDatabase('model');
    knex = knexFactory({ client: 'pg', connection: database.url });
    await knex.schema.createTable('venues', (t) => {
      t.increments('id');
      t.text('name').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable();
      t.timestamp('deleted_at', { useTz: true });
    });
    await knex.schema.createTable('rooms', (t) => {
      t.increments('id');
      t.integer('venue_id').notNullable().references('venues.id');
      t.text('name').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable();
      t.timestamp('deleted_at', { useTz: true });
    });
  });

  afterAll(async () => {
    await knex?.destroy();
    await database?.drop();
  });

  /** Two live venues and one soft-deleted, fresh for each test. */
  async function seed(): Promise<{ live: Venue[]; deleted: Venue }> {
    await knex.raw('TRUNCATE venues, rooms RESTART IDENTITY');
    const [first, second, third] = await Venue.query(knex).insert([
      { name: 'Hall' },
      { name: 'Arena' },
      { name: 'Barn' },
    ]);
    await Venue.query(knex).findById(third.id).softDelete();
    return { live: [first, second], deleted: third };
  }

  it('keeps created_at and updated_at on insert', async () => {
    const before = Date.now();
    const venue = await Venue.query(knex).insert({ name: 'Stadium' });
    const row = await knex('venues').where({ id: venue.id }).first();
    expect(row.created_at.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(row.updated_at.getTime()).toBe(row.created_at.getTime());
    expect(row.deleted_at).toBeNull();
  });

  it('moves updated_at on update and leaves created_at alone', async () => {
    const venue = await Venue.query(knex).insert({ name: 'Club' });
    await sleep(5);
    await Venue.query(knex).findById(venue.id).patch({ name: 'Club 2' });
    await sleep(5);
    const fetched = await Venue.query(knex).findById(venue.id).throwIfNotFound();
    const afterFirstPatch = fetched.updated_at.getTime();
    await fetched.$query(knex).patch({ name: 'Club 3' });
    const row = await knex('venues').where({ id: venue.id }).first();
    expect(row.name).toBe('Club 3');
    expect(row.created_at.getTime()).toBe(venue.created_at.getTime());
    expect(afterFirstPatch).toBeGreaterThan(venue.updated_at.getTime());
    expect(row.updated_at.getTime()).toBeGreaterThan(afterFirstPatch);
  });

  it('leaves soft-deleted rows out of reads', async () => {
    const { live, deleted } = await seed();
    expect((await Venue.query(knex).orderBy('id')).map((v) => v.id)).toEqual(live.map((v) => v.id));
    expect(await Venue.query(knex).findById(deleted.id)).toBeUndefined();
    expect(await Venue.query(knex).where('name', 'Barn').first()).toBeUndefined();
    expect(await Venue.query(knex).resultSize()).toBe(2);
  });

  it('includes them with withDeleted() and shows only them with onlyDeleted()', async () => {
    const { live, deleted } = await seed();
    expect((await Venue.query(knex).withDeleted().orderBy('id')).map((v) => v.id)).toEqual(
      [...live, deleted].map((v) => v.id),
    );
    expect((await Venue.query(knex).onlyDeleted()).map((v) => v.id)).toEqual([deleted.id]);
    expect(await Venue.query(knex).withDeleted().findById(deleted.id)).toMatchObject({ name: 'Barn' });
  });

  it('softDelete() marks the rows, keeps them, and answers how many it changed', async () => {
    const { live } = await seed();
    const before = Date.now();
    expect(
      await Venue.query(knex)
        .whereIn(
          'id',
          live.map((v) => v.id),
        )
        .softDelete(),
    ).toBe(2);
    const rows = await knex('venues').whereIn(
      'id',
      live.map((v) => v.id),
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.deleted_at.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(await Venue.query(knex)).toEqual([]);
  });

  it('softDelete() of a row already deleted changes nothing', async () => {
    const { deleted } = await seed();
    const { deleted_at: first } = await knex('venues').where({ id: deleted.id }).first();
    await sleep(5);
    expect(await Venue.query(knex).findById(deleted.id).softDelete()).toBe(0);
    const { deleted_at: after } = await knex('venues').where({ id: deleted.id }).first();
    expect(after.getTime()).toBe(first.getTime());
  });

  it('restore() brings deleted rows back and answers how many', async () => {
    const { live, deleted } = await seed();
    expect(await Venue.query(knex).whereIn('id', [live[0].id, deleted.id]).restore()).toBe(1);
    expect(await Venue.query(knex).findById(deleted.id)).toMatchObject({ name: 'Barn', deleted_at: null });
    expect(await Venue.query(knex).onlyDeleted()).toEqual([]);
  });

  it('updates and deletes do not touch deleted rows', async () => {
    const { deleted } = await seed();
    expect(await Venue.query(knex).findById(deleted.id).patch({ name: 'Renamed' })).toBe(0);
    expect(await Venue.query(knex).patch({ name: 'Everything' })).toBe(2);
    expect(await Venue.query(knex).findById(deleted.id).delete()).toBe(0);
    const row = await knex('venues').where({ id: deleted.id }).first();
    expect(row.name).toBe('Barn');
  });

  it('filters through a table alias', async () => {
    const { live } = await seed();
    const rows = await Venue.query(knex).alias('v').select('v.id').orderBy('v.id');
    expect(rows.map((v) => v.id)).toEqual(live.map((v) => v.id));
  });

  it('leaves soft-deleted related rows out of fetched relations', async () => {
    const { live } = await seed();
    const [kept, gone] = await Room.query(knex).insert([
      { venue_id: live[0].id, name: 'Main' },
      { venue_id: live[0].id, name: 'Annex' },
    ]);
    await Room.query(knex).findById(gone.id).softDelete();
    const venue = await Venue.query(knex).findById(live[0].id).withGraphFetched('rooms').throwIfNotFound();
    expect(venue.rooms?.map((r) => r.id)).toEqual([kept.id]);
    expect(await venue.$relatedQuery('rooms', knex)).toHaveLength(1);
  });
});
