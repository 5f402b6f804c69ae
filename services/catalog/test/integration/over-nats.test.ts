import { connect, JSONCodec, type NatsConnection } from 'nats';
import {
  createBroker,
  createLogger,
  type Config,
  type Event,
  type EventEnvelope,
  type ServiceBroker,
} from '@ticketpro/shared';
import {
  assertNatsReachable,
  createTestDatabase,
  testConfig,
  testNatsUrl,
  uniqueName,
  type TestDatabase,
} from '@ticketpro/shared/testing';
import { createCatalogService } from '../../src';
import { IdentityStandIn } from '../support/identity-stand-in';
import {
  as,
  createEvent,
  createTicketType,
  hold,
  holdParams,
  newEventBody,
  organizer,
} from '../support/catalog-fixtures';

/**
 * Distributed mode: catalog, a stand-in identity and a caller on three brokers over real NATS,
 * with catalog's events relayed to JetStream.
 */
const prefix = uniqueName('tp');
const stream = uniqueName('TP').toUpperCase();
const identity = new IdentityStandIn();
let database: TestDatabase;
let config: Config;
let brokers: ServiceBroker[] = [];
let caller: ServiceBroker;
let nc: NatsConnection;

async function startBroker(role: string, setUp: (broker: ServiceBroker) => void): Promise<ServiceBroker> {
  const logger = createLogger(role, config.LOG_LEVEL);
  const broker = createBroker({ config, role, logger });
  setUp(broker);
  brokers.push(broker);
  await broker.start();
  return broker;
}

beforeAll(async () => {
  await assertNatsReachable();
  database = await createTestDatabase('catalog_nats');
  config = testConfig({
    DATABASE_URL: database.url,
    NATS_URL: testNatsUrl(),
    NAMESPACE: uniqueName('catalog_nats'),
    EVENT_SUBJECT_PREFIX: prefix,
    EVENT_STREAM: stream,
  });
  identity.add({ id: organizer.id, firstname: 'Oliver', surname: 'Mtukudzi' });
  const catalog = await startBroker('catalog', (b) =>
    b.createService(createCatalogService({ config, logger: createLogger('catalog', config.LOG_LEVEL) })),
  );
  await startBroker('identity', (b) => b.createService(identity.schema()));
  caller = await startBroker('caller', () => undefined);
  await catalog.waitForServices(['identity'], 10_000);
  await caller.waitForServices(['catalog'], 10_000);
  nc = await connect({ servers: testNatsUrl() });
});

afterAll(async () => {
  for (const broker of brokers.reverse()) await broker.stop();
  brokers = [];
  if (nc) {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
  await database?.drop();
});

describe('catalog over NATS', () => {
  it('answers across the hop, reading organizer names from identity on another node with the request id', async () => {
    const event = await caller.call<Event, object>('catalog.events.create', newEventBody(), {
      meta: { user: organizer, requestId: 'nats-req-1' },
    });

    expect(event.organizer).toEqual({ id: organizer.id, firstname: 'Oliver', surname: 'Mtukudzi' });
    expect(identity.calls).toEqual([{ ids: [organizer.id], requestId: 'nats-req-1' }]);
    await expect(caller.call('catalog.events.get', { id: event.id })).resolves.toMatchObject({
      organizer: event.organizer,
    });
    expect(identity.calls).toHaveLength(1);
  });

  it('keeps the status, type and extensions of its refusals', async () => {
    const event = await createEvent(caller, organizer);
    const ticketType = await createTicketType(caller, event.id, { name: 'Last seats', quantity: 1 });
    await hold(caller, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }]));

    await expect(
      hold(caller, holdParams(event.id, [{ ticket_type_id: ticketType.id, quantity: 1 }])),
    ).rejects.toMatchObject({
      code: 409,
      type: 'conflict',
      message: '"Last seats" is sold out: 0 left, 1 asked',
      data: { ticket_type_id: ticketType.id, available: 0 },
    });
    await expect(caller.call('catalog.events.create', {}, as(organizer))).rejects.toMatchObject({ code: 422 });
    await expect(caller.call('catalog.events.delete', { id: event.id }, as(undefined))).rejects.toMatchObject({
      code: 401,
      type: 'unauthorized',
    });
  });

  it('publishes its domain events on JetStream under the configured prefix', async () => {
    const event = await createEvent(caller, organizer);

    const consumer = await nc.jetstream().consumers.get(stream, { filterSubjects: `${prefix}.catalog.event.created` });
    let envelope: EventEnvelope | undefined;
    for (
      let message = await consumer.next({ expires: 5000 });
      message;
      message = await consumer.next({ expires: 5000 })
    ) {
      envelope = JSONCodec<EventEnvelope>().decode(message.data);
      if ((envelope.data as { id: number }).id === event.id) break;
    }

    expect(envelope).toMatchObject({
      type: 'ticketpro.catalog.event.created',
      source: 'catalog',
      data: { id: event.id, event_name: event.event_name, organizer_id: organizer.id },
    });
  });
});
