import os from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  createDatabase,
  createOutboxTable,
  createProcessedEventsTable,
  OUTBOX_TABLE,
  PROCESSED_EVENTS_TABLE,
  pruneEventTables,
  serviceEvents,
  type Database,
} from '@ticketpro/shared';
import { createTestDatabase, type TestDatabase } from '@ticketpro/shared/testing';

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);

describe('pruneEventTables', () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase('retention');
    db = await createDatabase({
      schema: 'retention',
      url: database.url,
      dataDir: os.tmpdir(),
      migrations: [
        { name: '001_outbox', up: createOutboxTable, down: async () => undefined },
        { name: '002_processed', up: createProcessedEventsTable, down: async () => undefined },
      ],
    });
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  beforeEach(async () => {
    await db(OUTBOX_TABLE).truncate();
    await db(PROCESSED_EVENTS_TABLE).truncate();
  });

  /** An outbox row created `days` ago, published then unless `published` is false. */
  async function outboxRow(days: number, published = true): Promise<string> {
    const entry = serviceEvents('identity').entry('identity.user.deleted', { id: 1 });
    await db(OUTBOX_TABLE).insert({
      ...entry,
      created_at: daysAgo(days),
      published_at: published ? daysAgo(days) : null,
    });
    return entry.id;
  }

  async function processedRow(days: number): Promise<string> {
    const eventId = randomUUID();
    await db(PROCESSED_EVENTS_TABLE).insert({ consumer: 'test_feed', event_id: eventId, processed_at: daysAgo(days) });
    return eventId;
  }

  it('deletes published outbox rows and handled-event ids older than the cutoff, and nothing else', async () => {
    const oldPublished = await outboxRow(8);
    const recentPublished = await outboxRow(1);
    const oldUnpublished = await outboxRow(8, false);
    const oldProcessed = await processedRow(8);
    const recentProcessed = await processedRow(1);

    const deleted = await pruneEventTables(db, daysAgo(7), { processedEvents: true });

    expect(deleted).toEqual({ outbox: 1, processedEvents: 1 });
    const outboxIds = await db(OUTBOX_TABLE).pluck('id');
    expect(outboxIds.sort()).toEqual([recentPublished, oldUnpublished].sort());
    expect(outboxIds).not.toContain(oldPublished);
    expect(await db(PROCESSED_EVENTS_TABLE).pluck('event_id')).toEqual([recentProcessed]);
    expect(oldProcessed).not.toBe(recentProcessed);
  });

  it('works through more rows than one batch holds', async () => {
    const rows = Array.from({ length: 2500 }, () => {
      const entry = serviceEvents('identity').entry('identity.user.deleted', { id: 1 });
      return { ...entry, published_at: daysAgo(10) };
    });
    await db.batchInsert(OUTBOX_TABLE, rows, 500);

    expect(await pruneEventTables(db, daysAgo(7), { processedEvents: false })).toEqual({
      outbox: 2500,
      processedEvents: 0,
    });
    expect(await db(OUTBOX_TABLE).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('leaves processed_events alone for a service that consumes no events', async () => {
    await processedRow(30);
    expect(await pruneEventTables(db, daysAgo(7), { processedEvents: false })).toEqual({
      outbox: 0,
      processedEvents: 0,
    });
    expect(await db(PROCESSED_EVENTS_TABLE).count({ n: '*' })).toEqual([{ n: 1 }]);
  });
});
