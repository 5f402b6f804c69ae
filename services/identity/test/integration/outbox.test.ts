import type { ServiceBroker } from 'moleculer';
import type { Knex } from 'knex';
import { eventually } from '@ticketpro/shared/testing';
import { call, type EventEnvelope } from '@ticketpro/shared';
import { startIdentityNode, type IdentityNode } from '../support/identity-node';
import { as, newUserBody, registerUser } from '../support/users';

let node: IdentityNode;
let broker: ServiceBroker;
let db: Knex;

beforeAll(async () => {
  node = await startIdentityNode('identity_outbox');
  broker = node.broker;
  db = node.db;
});

afterAll(() => node?.stop());

async function eventsAbout(userId: number): Promise<{ name: string; envelope: EventEnvelope }[]> {
  return db('outbox')
    .select('name', 'envelope')
    .whereRaw("(envelope->'data'->>'id')::int = ?", [userId])
    .orderBy('seq');
}

/** Makes every outbox insert fail, as a crash between the change and its event would. */
async function withOutboxRefusing(work: () => Promise<void>): Promise<void> {
  await db.raw(`CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'outbox refused by the test'; END $$`);
  await db.raw('CREATE TRIGGER refuse_event BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_event()');
  try {
    await work();
  } finally {
    await db.raw('DROP TRIGGER refuse_event ON outbox');
    await db.raw('DROP FUNCTION refuse_event()');
  }
}

describe('identity events', () => {
  it('records registered, updated and deleted, each as a CloudEvents envelope', async () => {
    const user = await registerUser(broker, { firstname: 'Ada', surname: 'Lovelace', role: 'organizer' });
    const id = user.caller.id;
    await call(broker, 'identity.users.update', { id, surname: 'King' }, as(user.caller));
    await call(broker, 'identity.users.delete', { id }, as(user.caller));

    const events = await eventsAbout(id);

    expect(events.map((e) => e.name)).toEqual([
      'identity.user.registered',
      'identity.user.updated',
      'identity.user.deleted',
    ]);
    expect(events[0].envelope).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'ticketpro.identity.user.registered',
      source: 'identity',
      time: expect.any(String),
      specversion: '1.0',
      dataversion: 2,
      data: {
        id,
        email: expect.stringMatching(/^ada_.*@example\.com$/),
        firstname: 'Ada',
        surname: 'Lovelace',
        role: 'organizer',
        active: true,
      },
    });
    expect(events[1].envelope.data).toMatchObject({ id, surname: 'King' });
    expect(events[2].envelope.data).toEqual({ id });
  });

  it('relays recorded events soon after the commit', async () => {
    const user = await registerUser(broker);

    const publishedAt = await eventually(async () => {
      const row = await db('outbox')
        .select('published_at')
        .whereRaw("(envelope->'data'->>'id')::int = ?", [user.caller.id])
        .first();
      return row?.published_at as Date | null;
    });

    expect(publishedAt).toBeInstanceOf(Date);
  });

  it('creates no user when its event cannot be recorded', async () => {
    const body = newUserBody();
    const tokensBefore = await db('refresh_tokens').count({ n: '*' }).first();

    await withOutboxRefusing(async () => {
      await expect(call(broker, 'identity.register', body)).rejects.toThrow(/outbox refused/);
    });

    expect(await db('users').whereRaw('lower(email) = lower(?)', [body.email]).first()).toBeUndefined();
    expect(await db('refresh_tokens').count({ n: '*' }).first()).toEqual(tokensBefore);
  });

  it('neither changes nor deletes a user when the event cannot be recorded', async () => {
    const user = await registerUser(broker, { surname: 'Before' });
    const id = user.caller.id;

    await withOutboxRefusing(async () => {
      await expect(call(broker, 'identity.users.update', { id, surname: 'After' }, as(user.caller))).rejects.toThrow();
      await expect(call(broker, 'identity.users.delete', { id }, as(user.caller))).rejects.toThrow();
    });

    await expect(call(broker, 'identity.me', {}, as(user.caller))).resolves.toMatchObject({ surname: 'Before' });
    expect(await db('refresh_tokens').where({ user_id: id }).whereNotNull('revoked_at')).toHaveLength(0);
    expect((await eventsAbout(id)).map((e) => e.name)).toEqual(['identity.user.registered']);
  });
});
