import type { Knex } from 'knex';
import { connect, type NatsConnection } from 'nats';
import { JetStreamPublisher, type Config, type EventEnvelope } from '@ticketpro/shared';
import {
  assertNatsReachable,
  createTestDatabase,
  eventually,
  testConfig,
  testNatsUrl,
  uniqueName,
  type TestDatabase,
} from '@ticketpro/shared/testing';
import { startTicketingNode, type TicketingNode } from '../support/ticketing-node';
import { openTicketingDatabase } from '../support/ticketing-database';
import { envelopeOf, nextId, orderFacts } from '../support/order-events';

/** Issuing over real NATS JetStream: the durable consumer, redelivery, downtime and two instances. */
const prefix = uniqueName('tp');
const stream = uniqueName('TP').toUpperCase();
let database: TestDatabase;
let config: Config;
let db: Knex;
let publisher: JetStreamPublisher;
let nc: NatsConnection;
const nodes: TicketingNode[] = [];

async function startNode(): Promise<TicketingNode> {
  const node = await startTicketingNode(config);
  nodes.push(node);
  return node;
}

async function stopNode(node: TicketingNode): Promise<void> {
  await node.broker.stop();
  nodes.splice(nodes.indexOf(node), 1);
}

const ticketsOf = (orderId: number) => db('tickets').where('order_id', orderId).orderBy(['ticket_type_id', 'unit']);
const processed = async (envelope: EventEnvelope) =>
  (await db('processed_events').where('event_id', envelope.id).first()) !== undefined;

async function ticketCount(orderId: number, expected: number) {
  return eventually(async () => (await ticketsOf(orderId)).length === expected);
}

beforeAll(async () => {
  await assertNatsReachable();
  database = await createTestDatabase('ticketing_issuing');
  config = testConfig({
    DATABASE_URL: database.url,
    NATS_URL: testNatsUrl(),
    NAMESPACE: uniqueName('ticketing_issuing'),
    EVENT_SUBJECT_PREFIX: prefix,
    EVENT_STREAM: stream,
  });
  publisher = await JetStreamPublisher.connect({
    url: testNatsUrl(),
    stream,
    subjectPrefix: prefix,
    connectionName: 'test',
  });
  nc = await connect({ servers: testNatsUrl() });
  db = openTicketingDatabase(database.url);
});

afterAll(async () => {
  for (const node of [...nodes]) await stopNode(node);
  await publisher?.close();
  if (nc) {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
  await db?.destroy();
  await database?.drop();
});

describe('issuing tickets when an order is paid', () => {
  it('issues one valid ticket per unit, owned by the buyer, once however often the payment is told', async () => {
    const node = await startNode();
    const [typeA, typeB, eventId, buyer] = [nextId(), nextId(), nextId(), nextId()];
    const order = orderFacts(buyer, eventId, [
      [typeA, 2],
      [typeB, 1],
    ]);
    const paid = envelopeOf('ordering.order.paid', order);

    await publisher.publish(paid);
    await ticketCount(order.id, 3);
    // The same message again (JetStream keeps one), then the same fact under a new event id.
    await publisher.publish(paid);
    const toldAgain = envelopeOf('ordering.order.paid', order);
    await publisher.publish(toldAgain);
    await eventually(() => processed(toldAgain));

    const tickets = await ticketsOf(order.id);
    expect(tickets.map((t) => [t.ticket_type_id, t.unit, t.status, t.user_id, t.event_id])).toEqual([
      [typeA, 1, 'valid', buyer, eventId],
      [typeA, 2, 'valid', buyer, eventId],
      [typeB, 1, 'valid', buyer, eventId],
    ]);
    expect(new Set(tickets.map((t) => t.qr_code)).size).toBe(3);
    const issued = await db('outbox').where('name', 'ticketing.ticket.issued');
    expect(issued.filter((row) => row.envelope.data.order_id === order.id)).toHaveLength(3);
    await stopNode(node);
  });

  it('voids every ticket of a refunded order, and only reserved ones of a cancelled order', async () => {
    const node = await startNode();
    const order = orderFacts(nextId(), nextId(), [[nextId(), 2]]);
    await publisher.publish(envelopeOf('ordering.order.paid', order));
    await ticketCount(order.id, 2);

    const cancelled = envelopeOf('ordering.order.cancelled', { ...order, payment_status: 'cancelled' });
    await publisher.publish(cancelled);
    await eventually(() => processed(cancelled));
    expect((await ticketsOf(order.id)).map((t) => t.status)).toEqual(['valid', 'valid']);

    await publisher.publish(envelopeOf('ordering.order.refunded', { ...order, payment_status: 'refunded' }));
    await eventually(async () => (await ticketsOf(order.id)).every((t) => t.status === 'void'));
    const voided = await db('outbox').where('name', 'ticketing.ticket.voided');
    expect(voided.filter((row) => row.envelope.data.order_id === order.id)).toHaveLength(2);
    await stopNode(node);
  });

  it('issues nothing for a payment handled after its refund', async () => {
    const node = await startNode();
    const order = orderFacts(nextId(), nextId(), [[nextId(), 2]]);
    const refunded = envelopeOf('ordering.order.refunded', { ...order, payment_status: 'refunded' });
    await publisher.publish(refunded);
    await eventually(() => processed(refunded));
    const paid = envelopeOf('ordering.order.paid', order);
    await publisher.publish(paid);
    await eventually(() => processed(paid));
    expect(await ticketsOf(order.id)).toHaveLength(0);
    await stopNode(node);
  });

  it('catches up on orders paid while ticketing was down', async () => {
    const first = await startNode();
    await stopNode(first);
    const order = orderFacts(nextId(), nextId(), [[nextId(), 3]]);
    await publisher.publish(envelopeOf('ordering.order.paid', order));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await ticketsOf(order.id)).toHaveLength(0);

    const again = await startNode();
    await ticketCount(order.id, 3);
    await stopNode(again);
  });

  it('issues each unit once when two instances consume together and every payment is told twice', async () => {
    await Promise.all([startNode(), startNode()]);
    const orders = Array.from({ length: 15 }, () =>
      orderFacts(nextId(), nextId(), [
        [nextId(), 2],
        [nextId(), 1],
      ]),
    );
    await Promise.all(
      orders.flatMap((order) => [
        publisher.publish(envelopeOf('ordering.order.paid', order)),
        publisher.publish(envelopeOf('ordering.order.paid', order)),
      ]),
    );

    const ids = orders.map((o) => o.id);
    await eventually(async () => {
      const [{ count }] = await db('tickets').whereIn('order_id', ids).count<{ count: string }[]>('* as count');
      return Number(count) >= 45;
    });
    // Both copies of every payment handled: nothing more can arrive.
    await eventually(async () => {
      const [{ count }] = await db('processed_events')
        .where('consumer', 'ticketing_issuing')
        .count<{ count: string }[]>('* as count');
      return Number(count) >= 2 * orders.length;
    });
    const [{ count }] = await db('tickets').whereIn('order_id', ids).count<{ count: string }[]>('* as count');
    expect(Number(count)).toBe(45);
  });
});
