import { connect, JSONCodec, type NatsConnection } from 'nats';
import { call, type EventEnvelope, type ServiceBroker } from '@ticketpro/shared';
import {
  assertNatsReachable,
  malformed,
  startServiceNode,
  testNatsUrl,
  uniqueName,
  type ServiceNode,
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
const settings = {
  NATS_URL: testNatsUrl(),
  NAMESPACE: uniqueName('catalog_nats'),
  EVENT_SUBJECT_PREFIX: prefix,
  EVENT_STREAM: stream,
};
let nodes: Pick<ServiceNode<never>, 'stop'>[] = [];
let caller: ServiceBroker;
let nc: NatsConnection;

beforeAll(async () => {
  await assertNatsReachable();
  identity.add({ id: organizer.id, firstname: 'Oliver', surname: 'Mtukudzi' });
  const catalog = await startServiceNode({
    label: 'catalog_nats',
    services: { catalog: (deps) => createCatalogService(deps) },
    config: settings,
  });
  nodes.push(catalog);
  nodes.push(await startServiceNode({ label: 'identity', standIns: [identity.schema()], config: settings }));
  const callerNode = await startServiceNode({ label: 'caller', config: settings });
  nodes.push(callerNode);
  caller = callerNode.broker;
  await catalog.broker.waitForServices(['identity'], 10_000);
  await caller.waitForServices(['catalog'], 10_000);
  nc = await connect({ servers: testNatsUrl() });
});

afterAll(async () => {
  for (const node of nodes.reverse()) await node.stop();
  nodes = [];
  if (nc) {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
});

describe('catalog over NATS', () => {
  it('answers across the hop, reading organizer names from identity on another node with the request id', async () => {
    const event = await call(caller, 'catalog.events.create', newEventBody(), {
      meta: { user: organizer, requestId: 'nats-req-1' },
    });

    expect(event.organizer).toEqual({ id: organizer.id, firstname: 'Oliver', surname: 'Mtukudzi' });
    expect(identity.calls).toEqual([{ ids: [organizer.id], requestId: 'nats-req-1' }]);
    await expect(call(caller, 'catalog.events.get', { id: event.id })).resolves.toMatchObject({
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
    await expect(call(caller, 'catalog.events.create', malformed({}), as(organizer))).rejects.toMatchObject({
      code: 422,
    });
    await expect(call(caller, 'catalog.events.delete', { id: event.id }, as(undefined))).rejects.toMatchObject({
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
