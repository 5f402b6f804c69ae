import type { Knex } from 'knex';
import { outboxEntry, type Database, type EventData } from '@ticketpro/shared';
import { applyCatalogEvent } from '../../src/projections/apply-catalog-event';
import { applyUserEvent } from '../../src/projections/apply-user-event';

/**
 * Feeds the notifications projections the facts a test's mail needs, the way its consumers do:
 * each event applied in a transaction of its own.
 */
export const applyEntry = <E>(
  db: Database,
  handler: (trx: Knex.Transaction, envelope: E) => Promise<void>,
  entry: { envelope: object },
) => db.transaction((trx) => handler(trx, entry.envelope as E));

type Registration = EventData<'identity.user.registered'>;
type EventListing = EventData<'catalog.event.created'>;

/** A buyer registered with identity: Nyasha Gumbo, unless the test names someone else. */
export const registerBuyer = (db: Database, buyer: Pick<Registration, 'id' | 'email'> & Partial<Registration>) =>
  applyEntry(
    db,
    applyUserEvent,
    outboxEntry('identity.user.registered', {
      firstname: 'Nyasha',
      surname: 'Gumbo',
      role: 'user',
      active: true,
      ...buyer,
    }),
  );

/** An event created in catalog: the Victoria Falls Carnival (event 7), unless the test changes it. */
export const createEvent = (db: Database, changes: Partial<EventListing> = {}) =>
  applyEntry(
    db,
    applyCatalogEvent,
    outboxEntry('catalog.event.created', {
      id: 7,
      event_name: 'Victoria Falls Carnival',
      organizer_id: 3,
      location: 'Victoria Falls',
      date: '2027-12-31T18:00:00.000Z',
      capacity: null,
      ...changes,
    }),
  );
