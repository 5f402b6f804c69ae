import type { ServiceBroker } from 'moleculer';
import { connect, JSONCodec, type NatsConnection } from 'nats';
import { assertNatsReachable, testNatsUrl, uniqueName } from '@ticketpro/shared/testing';
import type { EventEnvelope } from '@ticketpro/shared';
import { startIdentityNode, type IdentityNode } from '../support/identity-node';
import { registerUser } from '../support/users';

const prefix = uniqueName('tp');
const stream = uniqueName('TP').toUpperCase();

let node: IdentityNode;
let broker: ServiceBroker;
let nc: NatsConnection;

beforeAll(async () => {
  await assertNatsReachable();
  node = await startIdentityNode('identity_jetstream', {
    NATS_URL: testNatsUrl(),
    EVENT_SUBJECT_PREFIX: prefix,
    EVENT_STREAM: stream,
  });
  broker = node.broker;
  nc = await connect({ servers: testNatsUrl() });
});

afterAll(async () => {
  await node?.stop();
  if (nc) {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
});

describe('identity events on JetStream', () => {
  it('publishes a registration on <prefix>.identity.user.registered with its envelope', async () => {
    const user = await registerUser(broker, { firstname: 'Katherine', surname: 'Johnson' });

    // One subject as a string: the array form needs a 2.10 server, and this machine runs 2.9.
    const consumer = await nc.jetstream().consumers.get(stream, {
      filterSubjects: `${prefix}.identity.user.registered`,
    });
    const message = await consumer.next({ expires: 5000 });

    expect(message?.subject).toBe(`${prefix}.identity.user.registered`);
    const envelope = JSONCodec<EventEnvelope>().decode(message!.data);
    expect(envelope).toMatchObject({
      id: expect.any(String),
      type: 'ticketpro.identity.user.registered',
      source: 'identity',
      time: expect.any(String),
      data: { id: user.caller.id, firstname: 'Katherine', surname: 'Johnson', role: 'user', active: true },
    });
    // The event id doubles as the message id, so a relay repeated after a crash is stored once.
    expect(message?.headers?.get('Nats-Msg-Id')).toBe(envelope.id);
  });
});
