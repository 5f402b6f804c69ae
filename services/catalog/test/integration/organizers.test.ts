import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import {
  call,
  handleOnce,
  outboxEntry,
  USER_EVENTS,
  type Event,
  type EventData,
  type UserEvent,
} from '@ticketpro/shared';
import { defaultPage } from '@ticketpro/shared/testing';
import { startCatalogNode, type CatalogNode } from '../support/catalog-node';
import { createEvent } from '../support/catalog-fixtures';
import { applyUserEvent } from '../../src';

let node: CatalogNode;
let db: Knex;

beforeAll(async () => {
  node = await startCatalogNode('catalog_organizers');
  db = node.db;
});

afterAll(() => node?.stop());

let lastUserId = 5000;
const nextUserId = () => ++lastUserId;

type UserFacts = EventData<'identity.user.registered'>;

/** Identity's events as it records them now, told at `time`. */
const registered = (facts: UserFacts, time: string): UserEvent => ({
  ...outboxEntry('identity.user.registered', facts).envelope,
  time,
});
const updated = (facts: UserFacts, time: string): UserEvent => ({
  ...outboxEntry('identity.user.updated', { ...facts, token_version: 0 }).envelope,
  time,
});
const deleted = (id: number, time: string): UserEvent => ({
  ...outboxEntry('identity.user.deleted', { id }).envelope,
  time,
});

const facts = (id: number, firstname: string, surname: string, role: 'user' | 'organizer' | 'admin' = 'organizer') => ({
  id,
  firstname,
  surname,
  role,
  active: true,
  email: `${firstname.toLowerCase()}.${id}@example.test`,
});

const apply = (envelope: UserEvent) => db.transaction((trx) => applyUserEvent(trx, envelope));
const namesOf = async (id: number) => db('organizers').where('id', id).first('firstname', 'surname');
const event = (id: number) => call(node.broker, 'catalog.events.get', { id });

describe('the organizer projection', () => {
  it('takes names from registrations and updates, newest by event time', async () => {
    const id = nextUserId();
    await apply(registered(facts(id, 'Stella', 'Chiweshe'), '2030-01-01T00:00:00.000Z'));
    await apply(updated(facts(id, 'Stella', 'Rambisai'), '2030-01-03T00:00:00.000Z'));
    // Arrives last, happened in between: it must not undo the newer change.
    await apply(updated(facts(id, 'Stella', 'Outdated'), '2030-01-02T00:00:00.000Z'));

    expect(await namesOf(id)).toEqual({ firstname: 'Stella', surname: 'Rambisai' });
  });

  it('reads both versions of identity.user.updated: one recorded before token versions (v1) still renames', async () => {
    const id = nextUserId();
    await apply(registered(facts(id, 'Thomas', 'Mapfumo'), '2030-01-01T00:00:00.000Z'));
    const beforeTokenVersions: UserEvent = {
      id: randomUUID(),
      type: 'ticketpro.identity.user.updated',
      source: 'identity',
      time: '2030-01-02T00:00:00.000Z',
      specversion: '1.0',
      dataversion: 1,
      data: facts(id, 'Thomas', 'Mukanya'),
    };

    await apply(beforeTokenVersions);

    expect(await namesOf(id)).toEqual({ firstname: 'Thomas', surname: 'Mukanya' });
  });

  it('keeps plain users out, but follows an organizer who is demoted later', async () => {
    const [user, demoted] = [nextUserId(), nextUserId()];
    await apply(registered(facts(user, 'Plain', 'User', 'user'), '2030-01-01T00:00:00.000Z'));
    await apply(registered(facts(demoted, 'Once', 'Organizer'), '2030-01-01T00:00:00.000Z'));
    await apply(updated(facts(demoted, 'Once', 'Demoted', 'user'), '2030-01-02T00:00:00.000Z'));

    expect(await namesOf(user)).toBeUndefined();
    expect(await namesOf(demoted)).toEqual({ firstname: 'Once', surname: 'Demoted' });
  });

  it("keeps a deleted organizer's name: their events are still listed under it", async () => {
    const id = nextUserId();
    await apply(registered(facts(id, 'Chiwoniso', 'Maraire'), '2030-01-01T00:00:00.000Z'));
    await apply(deleted(id, '2030-01-02T00:00:00.000Z'));

    expect(await namesOf(id)).toEqual({ firstname: 'Chiwoniso', surname: 'Maraire' });
  });

  it('applies one delivery of an event once, through the processed-events table', async () => {
    const id = nextUserId();
    const renamed = updated(facts(id, 'Jah', 'Prayzah'), '2030-01-05T00:00:00.000Z');
    await apply(registered(facts(id, 'Mukudzeyi', 'Mukombe'), '2030-01-01T00:00:00.000Z'));
    const handle = (envelope: UserEvent, trx: Knex.Transaction) => applyUserEvent(trx, envelope);

    const handled = [
      await handleOnce<typeof USER_EVENTS>(db, 'catalog_organizers', renamed, handle),
      await handleOnce<typeof USER_EVENTS>(db, 'catalog_organizers', renamed, handle),
    ];

    expect(handled).toEqual([true, false]);
    expect(await namesOf(id)).toEqual({ firstname: 'Jah', surname: 'Prayzah' });
  });

  it('shows the projected names on events without asking identity', async () => {
    const id = nextUserId();
    await apply(registered(facts(id, 'Oliver', 'Mtukudzi'), '2020-01-01T00:00:00.000Z'));
    const published = await createEvent(node.broker, { id, role: 'organizer' });
    node.identity.calls.length = 0;

    await apply(updated(facts(id, 'Tuku', 'Mtukudzi'), new Date().toISOString()));

    await expect(event(published.id)).resolves.toMatchObject({
      organizer: { id, firstname: 'Tuku', surname: 'Mtukudzi' },
    });
    expect(node.identity.calls).toEqual([]);
  });
});

describe('read-repair of names the projection lacks', () => {
  it('asks identity once per page for all missing organizers, with the request id, and keeps the answer', async () => {
    const location = `Repair ${randomUUID()}`;
    const ids = [nextUserId(), nextUserId(), nextUserId()];
    for (const id of ids) node.identity.add({ id, firstname: `First${id}`, surname: `Last${id}` });
    for (const id of [...ids, ...ids]) await createEvent(node.broker, { id, role: 'organizer' }, { location });
    await db('organizers').whereIn('id', ids).delete();
    node.identity.calls.length = 0;

    const page = await call(node.broker, 'catalog.events.list', defaultPage({ location }), {
      meta: { requestId: 'req-names-1' },
    });

    expect(node.identity.calls).toEqual([{ ids, requestId: 'req-names-1' }]);
    expect(page.items.map((e) => e.organizer)).toEqual(
      [...ids, ...ids].map((id) => ({ id, firstname: `First${id}`, surname: `Last${id}` })),
    );
    expect(await db('organizers').whereIn('id', ids).count({ n: '*' }).first()).toEqual({ n: 3 });

    await call(node.broker, 'catalog.events.list', defaultPage({ location }));
    expect(node.identity.calls).toHaveLength(1);
  });

  it('lets a later event from identity overwrite read-repaired names', async () => {
    const id = nextUserId();
    node.identity.add({ id, firstname: 'Before', surname: 'Change' });
    const published = await createEvent(node.broker, { id, role: 'organizer' });

    // A second on: the read-repair's time and the event's are whole milliseconds, and a fast
    // machine creates the event within the read-repair's millisecond (a tie keeps the row).
    await apply(updated(facts(id, 'After', 'Change'), new Date(Date.now() + 1_000).toISOString()));

    await expect(event(published.id)).resolves.toMatchObject({ organizer: { firstname: 'After' } });
  });

  it('does not let a registration older than the read-repair overwrite it', async () => {
    const id = nextUserId();
    node.identity.add({ id, firstname: 'Current', surname: 'Name' });
    await createEvent(node.broker, { id, role: 'organizer' });

    await apply(registered(facts(id, 'Old', 'Name'), '2020-01-01T00:00:00.000Z'));

    expect(await namesOf(id)).toEqual({ firstname: 'Current', surname: 'Name' });
  });

  it('answers without the names when identity cannot, and repairs them on a later read', async () => {
    const id = nextUserId();
    node.identity.add({ id, firstname: 'Late', surname: 'Bloomer' });
    node.identity.failure = new Error('identity is down');
    let published: Event;
    try {
      published = await createEvent(node.broker, { id, role: 'organizer' });
      expect(published.organizer).toEqual({ id, firstname: '', surname: '' });
    } finally {
      node.identity.failure = undefined;
    }

    await expect(event(published.id)).resolves.toMatchObject({
      organizer: { id, firstname: 'Late', surname: 'Bloomer' },
    });
  });
});
